// Every file the ABI definition generates, with its content: the AssemblyScript files whole,
// the docs with their generated sections filled in (the hand-written rest as it stands).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assemblyFiles } from "./assembly.ts";
import { docSections, fillSections } from "./docs.ts";
import { jsonFile } from "./json.ts";

/** The generated docs: each holds generated sections between markers. */
export const GENERATED_DOCS = ["docs/ABI.md", "docs/STORAGE.md"] as const;

/** Path (from the repository root) → the text the definition gives it. */
export function generatedFiles(root: string): Record<string, string> {
  const out: Record<string, string> = { ...assemblyFiles(), "assembly/generated/json.ts": jsonFile() };
  const sections = docSections();
  for (const doc of GENERATED_DOCS) out[doc] = fillSections(readFileSync(join(root, doc), "utf8"), sections, doc);
  return out;
}
