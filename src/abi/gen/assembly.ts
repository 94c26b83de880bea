// AssemblyScript generated from the ABI definition: the shared codes, the byte layouts, the
// exact Borsh decoding of every method's arguments, and the encoders of events and result
// structs. The contract's hand-written code calls these; it never restates a field.

import {
  COUNTERS,
  ENUMS,
  ERROR_CODES,
  EVENT_DEFS,
  LIMITS,
  METHOD_DEFS,
  POLICY,
  POLICY_V1,
  RECORDS,
  RUN,
  STRUCTS,
  WINDOW_COUNTERS,
  type MethodDef,
  type RecordDef,
} from "../definition.ts";
import type { Field, StructDef } from "../field.ts";
import { encodePolicy, DEFAULT_POLICY } from "../../client/schema.ts";
import { constName, place } from "./layout.ts";

export const GENERATED_NOTE = "GENERATED from src/abi/definition.ts by scripts/gen-abi.ts (`npm run gen`): do not edit.";

/** Where the generated files import from (relative to assembly/generated/). */
export const AS_IMPORTS = {
  borsh: "../codec/borsh",
  env: "../host/env",
  policy: "../model/policy",
  handlers: "../entry/handlers",
  codes: "../shared/codes",
} as const;

const lines = (xs: readonly string[]): string => xs.join("\n") + "\n";

// ---------------------------------------------------------------- codes (both languages)

/** assembly/shared/codes.ts: valid AssemblyScript and TypeScript (plain numeric enums, consts). */
export function codesFile(): string {
  const out: string[] = [
    `// ${GENERATED_NOTE}`,
    "// Codes, enums and limits shared, from this one file, by the contract (AssemblyScript) and the",
    "// TypeScript host and client. Only syntax valid in both languages: plain numeric enums and",
    "// constants. Values are part of the ABI: never renumber, never reuse a retired code.",
    "",
    "/** The i32 every method returns; 0 = ok, anything else FAULTs the transaction. */",
    "export enum ErrorCode {",
  ];
  ERROR_CODES.forEach(([name, doc], i) => out.push(`  /** ${doc} */`, `  ${name} = ${i},`));
  out.push("}");
  for (const [kind, def] of Object.entries(ENUMS)) {
    out.push("", `/** ${def.doc} */`, `export enum ${kind} {`);
    def.values.forEach(([name, doc], i) => out.push(`  /** ${doc} */`, `  ${name} = ${i},`));
    out.push("}", `/** The largest ${kind} tag. */`, `export const ${constName(kind)}_MAX = ${def.values.length - 1};`);
  }
  out.push("");
  for (const [name, value] of Object.entries(LIMITS)) out.push(`export const ${name} = ${value};`);
  return lines(out);
}

// ---------------------------------------------------------------- layouts

function structOffsets(prefix: string, def: StructDef, note: string): string[] {
  const placed = place(Object.entries(def).map(([name, type]) => ({ name, type })));
  const out: string[] = [`// ${note}`];
  for (const p of placed) {
    const seg = p.segment === 0 ? "" : ` // after ${placed.filter((q) => !q.fixed)[p.segment - 1]!.name}`;
    out.push(`export const ${prefix}_${constName(p.name)}: usize = ${p.offset};${seg}`);
  }
  const last = placed[placed.length - 1]!;
  if (last.fixed) out.push(`export const ${prefix}_BYTES: usize = ${last.offset + last.size.bytes};`);
  return out;
}

function recordOffsets(key: string, rec: RecordDef): string[] {
  const out: string[] = [];
  const current = rec.versions[rec.versions.length - 1]!.version;
  out.push("", `/** ${rec.doc}: the version written today. */`, `export const ${constName(key)}_VERSION: u8 = ${current};`);
  for (const v of rec.versions) {
    const placed = place(v.fields);
    out.push(`// ${key} record, version ${v.version}: offsets within each run of fixed-size fields`);
    for (const p of placed) {
      const seg = p.segment === 0 ? "" : ` // after ${placed.filter((q) => !q.fixed)[p.segment - 1]!.name}`;
      out.push(`export const ${constName(key)}_V${v.version}_${constName(p.name)}: usize = ${p.offset};${seg}`);
    }
    const last = placed[placed.length - 1]!;
    if (placed.every((p) => p.fixed)) out.push(`export const ${constName(key)}_V${v.version}_BYTES: i32 = ${last.offset + last.size.bytes};`);
  }
  return out;
}

/** assembly/generated/layout.ts: offsets, sizes and the default policy's bytes. */
export function layoutFile(): string {
  const policyFixed = Object.fromEntries(Object.entries(POLICY.struct).filter(([k]) => k !== "steps"));
  const v1Fixed = Object.fromEntries(Object.entries(POLICY_V1.struct).filter(([k]) => k !== "steps"));
  const defaults = encodePolicy(DEFAULT_POLICY);
  // The fields a revision appended after the salt, and their default bytes (a v1 policy
  // upgraded to today's layout gets these).
  const appended = Object.keys(POLICY.struct).slice(Object.keys(POLICY_V1.struct).length);
  const appendedBytes = appended.reduce((n, k) => n + ({ u32: 4, u64: 8 } as Record<string, number>)[POLICY.struct[k as keyof typeof POLICY.struct] as string]!, 0);
  const out: string[] = [
    `// ${GENERATED_NOTE}`,
    "// Byte layouts of the policy, the counters and every stored record (docs/STORAGE.md).",
    "",
    ...structOffsets("POLICY", policyFixed, "Policy: the fixed fields after the steps (Vec<u16>), from the first of them"),
    `export const POLICY_FIXED_BYTES: usize = POLICY_SALT;`,
    `/** The fields appended after the salt (${appended.join(", ")}): their bytes. */`,
    `export const POLICY_APPENDED_BYTES: usize = ${appendedBytes};`,
    "",
    ...structOffsets("POLICY_V1", v1Fixed, "Policy as version 1 records hold it: the fixed fields after the steps"),
    `export const POLICY_V1_FIXED_BYTES: usize = POLICY_V1_SALT;`,
    "",
    "/** SPEC section 2's default policy, Borsh-encoded (read-only, like every policy's bytes). */",
    `export const DEFAULT_POLICY: usize = memory.data<u8>([${[...defaults].join(", ")}]);`,
    `export const DEFAULT_POLICY_BYTES: i32 = ${defaults.length};`,
    "/** The appended fields' default bytes: the default policy's last POLICY_APPENDED_BYTES. */",
    `export const DEFAULT_POLICY_APPENDED: usize = DEFAULT_POLICY + <usize>(DEFAULT_POLICY_BYTES - <i32>POLICY_APPENDED_BYTES);`,
    "",
    ...structOffsets("COUNTERS", COUNTERS.struct, "The feature record's counters, from the first"),
    `/** The window's counters come first; a step resets these bytes. */`,
    `export const WINDOW_COUNTERS_BYTES: usize = ${WINDOW_COUNTERS * 8};`,
    "",
    ...structOffsets("RUN", RUN.struct, "The run counters and statistic (feature record v2), from the first"),
  ];
  for (const [key, rec] of Object.entries(RECORDS)) out.push(...recordOffsets(key, rec));
  return lines(out);
}

// ---------------------------------------------------------------- argument decoding

interface Param {
  readonly decl: string;
  readonly read: string[];
  readonly args: string[];
  readonly check?: string;
}

/** How one argument field is read (locals), which handler params it becomes, and its BadInput check. */
function argParam(name: string, f: Field, allowed?: readonly string[]): Param {
  if (typeof f === "string") {
    switch (f) {
      case "u8":
      case "u16":
      case "u32":
      case "u64":
      case "bool":
        return { decl: `${name}: ${f}`, read: [`const ${name} = r.${f}();`], args: [name] };
      case "i64":
        return { decl: `${name}: i64`, read: [`const ${name} = <i64>r.u64();`], args: [name] };
      case "string":
        return { decl: `${name}: Uint8Array`, read: [`const ${name} = r.string();`], args: [name] };
      case "account":
        // Where the 20 bytes lie in the input: no copy on the hot views.
        return { decl: `${name}: usize`, read: [`const ${name} = r.skip(ACCOUNT_BYTES);`], args: [name] };
    }
  }
  if ("enum" in f) {
    const kind = f.enum;
    const values = ENUMS[kind].values.map(([n]) => n as string);
    const check = allowed
      ? allowed.map((a) => `${name} != ${values.indexOf(a)}`).join(" && ")
      : `${name} > ${constName(kind)}_MAX`;
    return { decl: `${name}: i32`, read: [`const ${name}: i32 = r.u8();`], args: [name], check };
  }
  if ("vec" in f && f.vec === "account") {
    const count = `${name}Count`;
    return {
      decl: `${name}: usize, ${count}: i32`,
      read: [`const ${count} = r.count(ACCOUNT_BYTES);`, `const ${name} = r.skip(${count} * ACCOUNT_BYTES); // back to back, where they were read`],
      args: [name, count],
    };
  }
  if (f === POLICY) return { decl: `${name}: Policy`, read: [`const ${name} = Policy.read(r);`], args: [name] };
  if ("option" in f && f.option === POLICY) {
    return { decl: `${name}: Policy | null`, read: [`const ${name}: Policy | null = r.option() ? Policy.read(r) : null;`], args: [name] };
  }
  throw new Error(`gen-abi: no AssemblyScript decoding for argument ${name}`);
}

function methodEntry(method: string, def: MethodDef): string[] {
  const fields = Object.entries(def.args.struct);
  const params = fields.map(([name, f]) => argParam(name, f, def.allowed?.[name]));
  const checks = ["!r.done()", ...params.flatMap((p) => (p.check ? [p.check] : []))];
  return [
    "",
    `/** ${method}(${params.map((p) => p.decl).join(", ")}) — ${def.doc}. */`,
    `export function ${method}(): i32 {`,
    "  const r = new Reader(readInput());",
    ...params.flatMap((p) => p.read.map((l) => `  ${l}`)),
    `  if (${checks.join(" || ")}) return ErrorCode.BadInput;`,
    `  return handlers.${method}(${params.flatMap((p) => p.args).join(", ")});`,
    "}",
  ];
}

/**
 * assembly/generated/entry.ts: every method's entry point. Decodes the arguments exactly
 * (BadInput on short input, trailing bytes, a bad tag, invalid UTF-8, an enum argument out of
 * range), then calls the handler of the same name with typed values.
 */
export function entryFile(): string {
  const usesPolicy = Object.values(METHOD_DEFS).some((d) => JSON.stringify(d.args).includes('"steps"'));
  const out = [
    `// ${GENERATED_NOTE}`,
    "// The Borsh entry layer: each export decodes its method's arguments exactly (SPEC section 6:",
    "// BadInput before anything else) and calls the hand-written handler of the same name",
    "// (entry/handlers.ts) with typed values. Accounts arrive as the address of their 20 bytes.",
    "",
    `import { Reader } from "${AS_IMPORTS.borsh}";`,
    `import { readInput } from "${AS_IMPORTS.env}";`,
    ...(usesPolicy ? [`import { Policy } from "${AS_IMPORTS.policy}";`] : []),
    `import { ACCOUNT_BYTES, ErrorCode, OVERRIDE_MODE_MAX, ROLE_MAX, ROLLBACK_REASON_MAX } from "${AS_IMPORTS.codes}";`,
    `import * as handlers from "${AS_IMPORTS.handlers}";`,
  ];
  for (const [m, d] of Object.entries(METHOD_DEFS)) out.push(...methodEntry(m, d));
  return lines(out);
}

// ---------------------------------------------------------------- encoders

interface Out {
  readonly decl: string;
  readonly write: string;
  readonly maxBytes: number;
}

/** A value written by the contract: its parameter(s) and its Writer call. */
function outParam(name: string, f: Field): Out {
  if (typeof f === "string") {
    switch (f) {
      case "u8":
        return { decl: `${name}: i32`, write: `.u8(${name})`, maxBytes: 1 };
      case "u16":
      case "u32":
      case "u64":
      case "bool":
        return { decl: `${name}: ${f}`, write: `.${f}(${name})`, maxBytes: f === "bool" ? 1 : Number(f.slice(1)) / 8 };
      case "i64":
        return { decl: `${name}: i64`, write: `.u64(<u64>${name})`, maxBytes: 8 };
      case "string":
        return { decl: `${name}: Uint8Array`, write: `.string(${name})`, maxBytes: 4 + LIMITS.MAX_DESCRIPTION_BYTES };
      case "account":
        return { decl: `${name}: Uint8Array`, write: `.raw(${name})`, maxBytes: 20 };
    }
  }
  if ("enum" in f) return { decl: `${name}: i32`, write: `.u8(${name})`, maxBytes: 1 };
  if ("option" in f && (f.option === "u8" || (typeof f.option === "object" && "enum" in f.option))) {
    return { decl: `${name}Some: bool, ${name}: i32`, write: `.optionU8(${name}Some, ${name})`, maxBytes: 2 };
  }
  if ("option" in f && f.option === "account") {
    return { decl: `${name}: Uint8Array | null`, write: `if (${name}) w.u8(1).raw(${name}); else w.u8(0);`, maxBytes: 21 };
  }
  if (f === POLICY) return { decl: `${name}: Policy`, write: `${name}.write(w);`, maxBytes: 200 };
  throw new Error(`gen-abi: no AssemblyScript encoding for ${name}`);
}

/** Writer calls in order: chained where they chain, one statement otherwise. */
function statements(outs: readonly Out[]): string[] {
  const out: string[] = [];
  let chain = "";
  for (const o of outs) {
    if (o.write.startsWith(".")) chain += o.write;
    else {
      if (chain) out.push(`  w${chain};`);
      chain = "";
      out.push(`  ${o.write}`);
    }
  }
  if (chain) out.push(`  w${chain};`);
  return out;
}

/** The name strings of events and small payloads: a capacity that fits the common case. */
function capacity(outs: readonly Out[], nameBytes: number): number {
  const n = outs.reduce((a, o) => a + (o.decl.endsWith("Uint8Array") && o.write.startsWith(".string") ? 4 + nameBytes : o.maxBytes), 0);
  return Math.min(512, 8 * Math.ceil(n / 8));
}

/** assembly/generated/events.ts: one emitter per event of SPEC section 6. */
export function eventsFile(): string {
  const out = [
    `// ${GENERATED_NOTE}`,
    "// Events (SPEC section 6): one function per event, name then Borsh payload. Called right",
    "// after the state change they announce; a no-op emits nothing.",
    "",
    `import { Writer } from "${AS_IMPORTS.borsh}";`,
    `import { emitEvent } from "${AS_IMPORTS.env}";`,
  ];
  for (const [name, def] of Object.entries(EVENT_DEFS)) {
    const outs = Object.entries(def.payload.struct).map(([k, f]) => outParam(k, f));
    const fn = name[0]!.toLowerCase() + name.slice(1);
    out.push(
      "",
      `/** ${name}: ${def.doc}. */`,
      `export function ${fn}(${outs.map((o) => o.decl).join(", ")}): void {`,
      `  const w = new Writer(${capacity(outs, LIMITS.MAX_NAME_BYTES)});`,
      ...statements(outs),
      `  emitEvent("${name}", w.dataStart, w.len);`,
      "}",
    );
  }
  return lines(out);
}

/** assembly/generated/views.ts: a writer per result struct, fields in wire order. */
export function viewsFile(): string {
  const out = [
    `// ${GENERATED_NOTE}`,
    "// The result structs of SPEC section 6, written field by field in wire order.",
    "",
    `import { Writer } from "${AS_IMPORTS.borsh}";`,
    `import { Policy } from "${AS_IMPORTS.policy}";`,
  ];
  for (const [name, def] of Object.entries(STRUCTS)) {
    if (name === "Policy") continue; // written as its stored bytes (Policy.write)
    const outs = Object.entries(def.struct).map(([k, f]) => outParam(k, f));
    out.push(
      "",
      `/** ${name}. */`,
      `export function write${name}(w: Writer, ${outs.map((o) => o.decl).join(", ")}): void {`,
      ...statements(outs),
      "}",
    );
  }
  return lines(out);
}

/** Every generated AssemblyScript file, by path from the repository root. */
export function assemblyFiles(): Record<string, string> {
  return {
    "assembly/shared/codes.ts": codesFile(),
    "assembly/generated/layout.ts": layoutFile(),
    "assembly/generated/entry.ts": entryFile(),
    "assembly/generated/events.ts": eventsFile(),
    "assembly/generated/views.ts": viewsFile(),
  };
}
