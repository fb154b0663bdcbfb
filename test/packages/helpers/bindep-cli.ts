// Runs `plugstack bindep` from the sources without main.ts: argv after the script = bindep's argv.
import { runMain } from "citty";
import command from "../../../src/cli/bindep.ts";

await runMain(command, { rawArgs: process.argv.slice(2) });
