// Entry point of `canary` (bin/canary.js imports this; `tsx src/cli/main.ts …` runs it too).

import { runCli } from "./cli.ts";
import { processIO } from "./io.ts";

process.exitCode = await runCli(process.argv.slice(2), processIO());
