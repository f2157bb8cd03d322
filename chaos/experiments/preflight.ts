// Preflight of the cluster: the Chaos Mesh CRDs the experiment's faults need are installed.
import { ApiException, ApiextensionsV1Api, type KubeConfig } from "@kubernetes/client-node";
import { ToolingError } from "../../scripts/core/errors.ts";
import { chaosGroup, chaosKinds, type ChaosKind } from "../faults/common.ts";
import { isNotFound } from "../faults/api.ts";

export async function assertChaosMeshInstalled(config: KubeConfig, kinds: readonly ChaosKind[]): Promise<void> {
  const api = config.makeApiClient(ApiextensionsV1Api);
  for (const kind of new Set(kinds)) {
    const name = `${chaosKinds[kind]}.${chaosGroup}`;
    try {
      await api.readCustomResourceDefinition({ name });
    } catch (error) {
      // Reading CRDs is cluster-wide: a namespaced Role (bulwark inside the cluster) may not; the create says more.
      if (error instanceof ApiException && error.code === 403) return;
      if (isNotFound(error)) throw new ToolingError(`Chaos Mesh is not installed in the cluster: CRD ${name} is missing (locally: bulwark local up --cluster; elsewhere: install Chaos Mesh)`);
      throw new ToolingError(`cannot read CRD ${name}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
    }
  }
}
