// Every file the ABI definition generates, with its content: the AssemblyScript files whole,
// the docs with their generated sections filled in (the hand-written rest as it stands), the
// CosmWasm JSON Schema files under schema/ (gen/schema.ts).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assemblyFiles } from "./assembly.ts";
import { docSections, fillSections } from "./docs.ts";
import { jsonFile } from "./json.ts";
import { schemaFiles } from "./schema.ts";

/** The generated docs: each holds generated sections between markers. */
export const GENERATED_DOCS = ["docs/ABI.md", "docs/STORAGE.md"] as const;

/** Path (from the repository root) → the text the definition gives it. */
export function generatedFiles(root: string): Record<string, string> {
  const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
  const out: Record<string, string> = { ...assemblyFiles(), "assembly/generated/json.ts": jsonFile(), ...schemaFiles(version) };
  const sections = docSections();
  for (const doc of GENERATED_DOCS) out[doc] = fillSections(readFileSync(join(root, doc), "utf8"), sections, doc);
  return out;
}
