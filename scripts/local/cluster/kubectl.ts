// Runs the pinned kubectl (built with the control plane, never the one on PATH) against the local cluster.
import { ToolingError } from "../../core/errors.ts";
import { exec, tail, type ExecResult } from "../../core/exec.ts";
import { statePaths } from "./paths.ts";

export interface Kubectl {
  run(args: string[], input?: string): Promise<ExecResult>;
  /** Like run, but a non-zero exit becomes a ToolingError quoting kubectl's output. */
  must(args: string[], input?: string): Promise<string>;
}

export function kubectlFor(binary: string, kubeconfig = statePaths.kubeconfig()): Kubectl {
  const run = (args: string[], input?: string) =>
    exec(binary, ["--kubeconfig", kubeconfig, "--request-timeout=20s", ...args], { input: input ?? "", env: { ...process.env, KUBECONFIG: kubeconfig } });
  return {
    run,
    async must(args, input) {
      const result = await run(args, input);
      if (result.code !== 0) throw new ToolingError(`kubectl ${args.slice(0, 3).join(" ")} failed: ${tail(result.stderr || result.stdout, 8)}`);
      return result.stdout;
    },
  };
}
