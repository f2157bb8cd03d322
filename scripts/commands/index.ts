import type { Command } from "./command.ts";
import { chaosCommand } from "./chaos.ts";
import { alertCommand } from "./alert.ts";
import { compareCommand } from "./compare.ts";
import { deployCommand } from "./deploy.ts";
import { doctorCommand } from "./doctor.ts";
import { drillCommand } from "./drill.ts";
import { gateCommand } from "./gate.ts";
import { initCommand } from "./init.ts";
import { listCommand } from "./list.ts";
import { localCommand } from "./local.ts";
import { rolloutCommand } from "./rollout.ts";
import { runCommand } from "./run.ts";
import { scaleCommand } from "./scale.ts";
import { setupCommand } from "./setup.ts";
import { validateCommand } from "./validate.ts";

/** Every CLI command, in the order `bulwark --help` lists them. */
export const commands: Command[] = [runCommand, gateCommand, listCommand, validateCommand, initCommand, compareCommand, drillCommand, chaosCommand, alertCommand, scaleCommand, rolloutCommand, localCommand, deployCommand, doctorCommand, setupCommand];
