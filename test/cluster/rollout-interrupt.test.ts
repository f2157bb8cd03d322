// Acceptance 3: Ctrl-C (SIGINT to the CLI) during a rollout: exit 130, the run marked aborted, and the
// Deployment returned to its original pod template.
import { join } from "node:path";
import { expect } from "vitest";
import { waitFor } from "../../scripts/core/wait-for.ts";
import { sameTemplate } from "../../scripts/kinds/rollout/template.ts";
import { clusterTest } from "../support/cluster-fixture.ts";
import { startCli, temporaryReportsRoot } from "../support/run-cli.ts";
import { auditLines, demoRelease, expectSameRelease, requireStages, runSummary } from "../support/rollout-fixture.ts";

clusterTest("Ctrl-C during a rollout puts the Deployment back on its original template (exit 130)", async ({ kube }) => {
  await requireStages(kube);
  const before = await demoRelease(kube);
  const reports = temporaryReportsRoot();
  const auditLog = join(reports, "audit.jsonl");
  const run = startCli(["rollout", "rollout-demo", "--env", "local", "--out", reports], { BULWARK_AUDIT_LOG: auditLog });
  let output = "";
  run.child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  run.child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await waitFor(() => output.includes("rollout: change applied"), { timeoutMs: 60_000, intervalMs: 50, description: "the change to be applied" });
  // The change is in the API and the rollout is under way: new pods need their readiness delay first.
  const during = await demoRelease(kube);
  expect(sameTemplate(during.template, before.template)).toBe(false);
  run.child.kill("SIGINT");
  const result = await run.result;
  expect(result.code, output).toBe(130);

  expect(runSummary(reports).verdict).toBe("aborted");
  expect(output).not.toContain("rollout complete in");
  expectSameRelease(await demoRelease(kube), before);
  expect(auditLines(auditLog).map((line) => `${line.action} ${line.result}`)).toEqual(["rollout.change started", "rollout.change succeeded", "rollout.undo reverted"]);
});
