// Generates from the ABI definition (src/abi/definition.ts) the AssemblyScript it implies and
// the generated sections of the docs. `--check` writes nothing and exits 1 naming every file
// that differs (tests/abi/generated.test.ts runs the same comparison).
//
//   npx tsx scripts/gen-abi.ts [--check]      (npm run gen; npm run build runs it first)

import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generatedFiles } from "../src/abi/gen/index.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const check = process.argv.includes("--check");
const stale: string[] = [];
for (const [path, text] of Object.entries(generatedFiles(root))) {
  const file = join(root, path);
  const now = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  if (now === text) continue;
  stale.push(path);
  if (!check) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}
if (check && stale.length > 0) {
  console.error(`gen-abi: out of date with src/abi/definition.ts: ${stale.join(", ")} (run \`npm run gen\`)`);
  process.exit(1);
}
if (!check && stale.length > 0) console.log(`gen-abi: wrote ${stale.join(", ")}`);
