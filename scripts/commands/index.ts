import type { Command } from "./command.ts";
import { compareCommand } from "./compare.ts";
import { doctorCommand } from "./doctor.ts";
import { drillCommand } from "./drill.ts";
import { gateCommand } from "./gate.ts";
import { initCommand } from "./init.ts";
import { listCommand } from "./list.ts";
import { localCommand } from "./local.ts";
import { runCommand } from "./run.ts";
import { setupCommand } from "./setup.ts";
import { validateCommand } from "./validate.ts";

/** Every CLI command, in the order `bulwark --help` lists them. */
export const commands: Command[] = [runCommand, gateCommand, listCommand, validateCommand, initCommand, compareCommand, drillCommand, localCommand, doctorCommand, setupCommand];
