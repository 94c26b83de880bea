#!/usr/bin/env node
// The `canary` command, by one of two routes to the same CLI:
// - in a checkout (src/cli/main.ts present and tsx, a dev dependency, installed): registers tsx
//   so Node loads the TypeScript sources — what is edited is what runs, no build step.
//   `npx canary …` in the checkout (or after `npm link`) finds this file through package.json's
//   "bin";
// - in the installed package (no src/, no tsx): the JavaScript `npm pack` compiled,
//   dist/src/cli/main.js, with plain node.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const source = new URL("../src/cli/main.ts", import.meta.url);
const compiled = new URL("../dist/src/cli/main.js", import.meta.url);

/** tsx's API when it is installed (a checkout after `npm install`), else null. */
function tsxApi() {
  try {
    return import.meta.resolve("tsx/esm/api");
  } catch {
    return null;
  }
}

const tsx = existsSync(source) ? tsxApi() : null;
if (tsx !== null) {
  const { register } = await import(tsx);
  // Tells src/verify/toolchain.ts that tsx's loader is active (it then loads binaryen natively).
  process.env.CANARY_TSX_REGISTERED = "1";
  register();
  await import(source.href);
} else if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  process.stderr.write(
    existsSync(source)
      ? "canary: tsx is not installed: run `npm install` in this checkout (or `npm run build:dist` to run the compiled JavaScript)\n"
      : `canary: ${fileURLToPath(compiled)} is missing: this copy of onchain-canary was not built (\`npm pack\` builds it)\n`,
  );
  process.exitCode = 2;
}
