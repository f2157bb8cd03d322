// The local cluster registers Chaos Mesh's admission webhooks for exactly the kinds the faults library
// builds, so a server-side dry run of any of them is judged by the real webhooks.
import { expect, it } from "vitest";
import { chaosKinds } from "../../../chaos/faults/index.ts";
import { chaosWebhookKinds } from "../../../scripts/local/cluster/chaos-mesh.ts";

it("registers webhooks for every fault kind", () => {
  expect([...chaosWebhookKinds].sort()).toEqual(Object.values(chaosKinds).sort());
});
