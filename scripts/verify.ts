// npm run verify: the module gate (SPEC section 8) on built modules.
//
//   tsx scripts/verify.ts [--debug] [--allow-import MODULE.NAME]... [WASM...]
//
// With no WASM: build/canary.wasm (release: SPEC section 7 imports only) and
// build/canary.debug.wasm (debug: env.abort allowed too). Exit 1 on any problem, 2 on bad usage.

import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseVerifyArgs, runVerify } from "../src/verify/cli.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = parseVerifyArgs(process.argv.slice(2), root);
if ("error" in args) {
  process.stderr.write(args.error);
  process.exitCode = 2;
} else {
  process.exitCode = await runVerify(args.targets, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  });
}
