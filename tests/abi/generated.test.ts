// One home per fact: every file the ABI definition generates (the AssemblyScript codes,
// layouts, entry layer, encoders, and the generated sections of docs/ABI.md and
// docs/STORAGE.md) must be exactly what src/abi/definition.ts produces today.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { docSections, fillSections, sectionIds } from "../../src/abi/gen/docs.ts";
import { GENERATED_DOCS, generatedFiles } from "../../src/abi/gen/index.ts";
import { METHOD_DEFS, POLICY_FIELDS } from "../../src/abi/definition.ts";
import { DEFAULT_POLICY, encodePolicy } from "../../src/client/index.ts";

const root = join(import.meta.dirname, "..", "..");

describe("generated files match the ABI definition", () => {
  const files = generatedFiles(root);
  it.each(Object.keys(files))("%s is up to date (run `npm run gen` after changing the definition)", (path) => {
    expect(readFileSync(join(root, path), "utf8")).toBe(files[path]);
  });

  it("every section the definition generates appears in a doc, once", () => {
    const present = GENERATED_DOCS.flatMap((d) => sectionIds(readFileSync(join(root, d), "utf8")));
    expect([...present].sort()).toEqual(Object.keys(docSections()).sort());
  });

  it("a section the definition does not produce is refused, not left stale", () => {
    const doc = "x\n<!-- generated:method:noSuchMethod -->\nold\n<!-- /generated:method:noSuchMethod -->\n";
    expect(() => fillSections(doc, docSections(), "doc")).toThrow(/noSuchMethod/);
  });

  it("a changed fact changes the generated text (the check can fail)", () => {
    const sections = docSections();
    const doc = "<!-- generated:methods -->\n<!-- /generated:methods -->";
    const filled = fillSections(doc, sections, "doc");
    expect(filled).toContain("`createFeature`");
    expect(fillSections(doc, { ...sections, methods: ["other"] }, "doc")).not.toBe(filled);
  });
});

describe("defaults come from the definition", () => {
  it("DEFAULT_POLICY has exactly the definition's policy fields and defaults", () => {
    expect(Object.keys(DEFAULT_POLICY)).toEqual(Object.keys(POLICY_FIELDS));
    for (const [k, f] of Object.entries(POLICY_FIELDS)) expect(DEFAULT_POLICY[k as keyof typeof DEFAULT_POLICY]).toEqual(f.default);
  });

  it("the generated default policy bytes are the client's encoding of the defaults", () => {
    const layout = readFileSync(join(root, "assembly/generated/layout.ts"), "utf8");
    const bytes = [...encodePolicy(DEFAULT_POLICY)].join(", ");
    expect(layout).toContain(`memory.data<u8>([${bytes}])`);
  });

  it("every method of the definition has a generated entry point", () => {
    const entry = readFileSync(join(root, "assembly/generated/entry.ts"), "utf8");
    for (const m of Object.keys(METHOD_DEFS)) expect(entry).toContain(`export function ${m}(): i32 {`);
  });
});
