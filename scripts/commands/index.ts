import type { Command } from "../lib/command.ts";
import { localCommand } from "./local.ts";

/** Every CLI command, in the order `bulwark --help` lists them. */
export const commands: Command[] = [localCommand];
