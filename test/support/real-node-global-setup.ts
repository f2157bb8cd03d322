// Prepares the real node once per test run: libseccomp's headers for runc (apt, as `bulwark setup` does),
// kubelet, containerd, runc and the CNI plugins (built from the Go module proxy on a cold machine), the
// demo target image in the local Docker engine, the CLI bundle (the lifecycle test drives the CLI) and the
// cluster (reused when it runs). vitest runs every project's global setup before any test, and the cluster
// project's lifecycle test recreates the cluster, so the node itself is started by each test file
// (useRealNode), after the cluster tests. A cluster this run created is stopped at the end.
import { execFileSync } from "node:child_process";
import type { TestProject } from "vitest/node";
import { repoPath } from "../../scripts/core/repo-root.ts";
import { up as containersUp, resolveImage } from "../../scripts/local/containers/index.ts";
import { down, ensureBinaries, up } from "../../scripts/local/cluster/index.ts";
import { ensureRealNodeBuildPackages } from "../../scripts/setup/real-node.ts";

declare module "vitest" {
  export interface ProvidedContext {
    clusterKubeconfig: string;
    demoTargetImage: string;
  }
}

const log = (line: string) => process.stderr.write(`[real-node setup] ${line}\n`);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  execFileSync(process.execPath, [repoPath("scripts", "build.mjs")], { stdio: "inherit" });
  await ensureRealNodeBuildPackages(log);
  await containersUp({ log });
  const build = await ensureBinaries(log, { realNode: true });
  if (build.failed.length > 0) throw new Error(`real node: build failed: ${build.failed.map((failure) => `${failure.name}: ${failure.reason}`).join("\n")}`);
  const result = await up({ log });
  log(`ready in ${result.seconds} s (control plane ${result.controlPlane}${build.built.length > 0 ? `; built ${build.built.map((b) => `${b.name} in ${b.seconds} s`).join(", ")}` : ""})`);
  project.provide("clusterKubeconfig", result.kubeconfig);
  project.provide("demoTargetImage", resolveImage("demo-target").reference);
  return async () => {
    if (result.controlPlane !== "reused") await down({ log });
  };
}
