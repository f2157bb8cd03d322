import { UsageError } from "../../scripts/core/errors.ts";

/**
 * Destructive drills run only where the config allows them, and only when the operator names the
 * environment on the command line: a guard against running the right drill in the wrong place.
 */
export function assertDestructionAllowed(input: { drill: string; environmentName: string; allowDestructive: boolean; confirmDestroy: string | undefined }): void {
  const { drill, environmentName, allowDestructive, confirmDestroy } = input;
  if (!allowDestructive) {
    throw new UsageError(`drill ${drill}: environment '${environmentName}' does not allow destructive drills (environments.${environmentName}.allowDestructive is false); nothing was touched`);
  }
  if (confirmDestroy === undefined) {
    throw new UsageError(`drill ${drill}: destroys data in environment '${environmentName}'; confirm with --confirm-destroy ${environmentName} (or look first with --dry-run); nothing was touched`);
  }
  if (confirmDestroy !== environmentName) {
    throw new UsageError(`drill ${drill}: --confirm-destroy names '${confirmDestroy}' but the drill would run in '${environmentName}'; nothing was touched`);
  }
}
