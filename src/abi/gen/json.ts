// The CosmWasm JSON mapping (COSMWASM.md section 3) generated from the ABI definition:
// `assembly/generated/json.ts` holds, as compact byte descriptors, every execute and query
// message (its snake_case name, its argument struct, its result), every event and every enum's
// snake_case names, plus the dispatch to the Borsh entry points. The contract's JSON codec
// (assembly/codec/json.ts) walks these descriptors: JSON → the method's exact Borsh arguments
// (the generated Borsh entry layer then decodes them and calls the same typed handlers), and
// Borsh results and event payloads → JSON. Nothing about a field is restated by hand.

import { ENUMS, ERROR_CODES, EVENT_DEFS, METHOD_DEFS, POLICY, POLICY_FIELDS } from "../definition.ts";
import type { Field, StructDef } from "../field.ts";
import { PACKAGE_JSON } from "../../packageRoot.ts";
import { GENERATED_NOTE } from "./assembly.ts";
import { jsonDefaults, messageName, snake } from "../cosmwasm.ts";

/** package.json's version: the cw2 contract_info version. */
const PACKAGE_VERSION: string = PACKAGE_JSON.version;

/** Descriptor type codes (mirrored in assembly/codec/json.ts). */
export const T = {
  u8: 1, u16: 2, u32: 3, u64: 4, i64: 5, bool: 6, string: 7, account: 8,
  vec: 9, option: 10, enum: 11, struct: 12, defaults: 13, looseEnum: 14,
} as const;

/** camelCase → snake_case (SPEC field and method names). */

const ENUM_KINDS = Object.keys(ENUMS) as (keyof typeof ENUMS)[];


/** Methods that are no JSON message (init is instantiate, onPersist is sudo). */
const NOT_MESSAGES = new Set(["init", "onPersist"]);


function le(n: bigint, bytes: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes; i++) out.push(Number((n >> BigInt(8 * i)) & 0xffn));
  return out;
}

/** Borsh bytes of a scalar default. */
function borsh(type: Field, v: unknown): number[] {
  if (type === "u8" || (typeof type === "object" && "enum" in type)) return [Number(v)];
  if (type === "u16") return le(BigInt(v as number), 2);
  if (type === "u32") return le(BigInt(v as number), 4);
  if (type === "u64" || type === "i64") return le(BigInt(v as number | bigint), 8);
  if (type === "bool") return [v ? 1 : 0];
  if (type === "string") {
    const b = [...Buffer.from(v as string, "utf8")];
    return [...le(BigInt(b.length), 4), ...b];
  }
  if (typeof type === "object" && "vec" in type) {
    const xs = v as unknown[];
    return [...le(BigInt(xs.length), 4), ...xs.flatMap((x) => borsh(type.vec, x))];
  }
  throw new Error(`no default encoding for ${JSON.stringify(type)}`);
}

function name(s: string): number[] {
  const b = [...Buffer.from(s, "ascii")];
  if (b.length > 255) throw new Error(`name too long: ${s}`);
  return [b.length, ...b];
}

/** A field's descriptor. `loose`: enums read as policy values (an unknown name → an out-of-range tag, InvalidPolicy). */
function desc(type: Field, loose = false, defaults?: Record<string, unknown>): number[] {
  if (typeof type === "string") return [T[type]];
  if ("vec" in type) return [T.vec, ...desc(type.vec, loose)];
  if ("option" in type) return [T.option, ...desc(type.option, loose, defaults)];
  if ("enum" in type) return [loose ? T.looseEnum : T.enum, ENUM_KINDS.indexOf(type.enum)];
  const isPolicy = type === POLICY;
  return structDesc(type.struct, isPolicy, isPolicy ? (defaults ?? undefined) : undefined);
}

function structDesc(s: StructDef, loose: boolean, defaults?: Record<string, unknown>): number[] {
  const entries = Object.entries(s);
  const out: number[] = [defaults ? T.defaults : T.struct, entries.length];
  for (const [field, type] of entries) {
    out.push(...name(snake(field)));
    if (defaults) {
      if (field in defaults) {
        const d = borsh(type, defaults[field]);
        out.push(...le(BigInt(d.length), 2), ...d);
      } else out.push(0xff, 0xff); // required
    }
    out.push(...desc(type, loose));
  }
  return out;
}

const POLICY_DEFAULTS = Object.fromEntries(Object.entries(POLICY_FIELDS).map(([k, v]) => [k, v.default]));

/** The argument descriptor of a method's JSON message. */
function argsDesc(method: string): number[] {
  const def = METHOD_DEFS[method as keyof typeof METHOD_DEFS];
  const struct = def.args.struct as StructDef;
  if (method === "createFeature") {
    // policy?: an object whose missing fields take the defaults
    const out: number[] = [T.struct, 3];
    out.push(...name("name"), T.string, ...name("description"), T.string);
    out.push(...name("policy"), T.option, ...structDesc(POLICY.struct, true, POLICY_DEFAULTS));
    return out;
  }
  // The optional query arguments' defaults are the definition's (COSMWASM.md: list_features limit 30).
  const defaults = jsonDefaults(method as keyof typeof METHOD_DEFS);
  return Object.keys(defaults).length > 0 ? structDesc(struct, false, defaults) : structDesc(struct, false);
}

function u16le(n: number): number[] {
  return le(BigInt(n), 2);
}

export interface JsonMessage {
  kind: "execute" | "query";
  json: string;
  method: string;
}

/** Every JSON message: execute for the mutating methods, query for the views. */
export function jsonMessages(): JsonMessage[] {
  return Object.entries(METHOD_DEFS)
    .filter(([m]) => !NOT_MESSAGES.has(m))
    .map(([m, def]) => ({ kind: def.access === "view" ? "query" : "execute", json: messageName(m as keyof typeof METHOD_DEFS), method: m }));
}

function chunked(bytes: number[]): string {
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 32) rows.push("  " + bytes.slice(i, i + 32).join(", ") + ",");
  return rows.join("\n");
}

/** assembly/generated/json.ts */
export function jsonFile(): string {
  const methods = Object.keys(METHOD_DEFS);
  const msgs: number[] = [];
  for (const m of jsonMessages()) {
    const def = METHOD_DEFS[m.method as keyof typeof METHOD_DEFS];
    const a = argsDesc(m.method);
    const r = def.result ? desc(def.result as Field) : [];
    msgs.push(m.kind === "query" ? 1 : 0, ...name(m.json), methods.indexOf(m.method), ...u16le(a.length), ...a, ...u16le(r.length), ...r);
  }
  msgs.push(0xff);
  const evs: number[] = [];
  for (const [ev, def] of Object.entries(EVENT_DEFS)) {
    const d = structDesc(def.payload.struct as StructDef, false);
    evs.push(...name(ev), ...name(snake(ev)), ...u16le(d.length), ...d);
  }
  evs.push(0);
  const enums: number[] = [];
  for (const kind of ENUM_KINDS) {
    enums.push(ENUMS[kind].values.length);
    for (const [v] of ENUMS[kind].values) enums.push(...name(snake(v)));
  }
  const codes: number[] = [];
  for (const [c] of ERROR_CODES) codes.push(...name(c));
  const cases = methods.filter((m) => !NOT_MESSAGES.has(m)).map((m) => `    case ${methods.indexOf(m)}: return entry.${m}();`);
  return [
    `// ${GENERATED_NOTE}`,
    "// The CosmWasm JSON mapping (COSMWASM.md section 3) as byte descriptors, walked by",
    "// codec/json.ts; src/abi/gen/json.ts documents the format. Type codes: " +
      Object.entries(T).map(([k, v]) => `${v} ${k}`).join(", ") + ".",
    "",
    'import * as entry from "./entry";',
    "",
    "/** Messages: kind (0 execute, 1 query) ‖ name ‖ method index ‖ u16 args-descriptor length ‖ descriptor ‖ u16 result-descriptor length ‖ descriptor; 0xFF ends. */",
    `export const MESSAGES: usize = memory.data<u8>([\n${chunked(msgs)}\n]);`,
    "",
    "/** Events: SPEC name ‖ snake_case name ‖ u16 payload-descriptor length ‖ descriptor; an empty name ends. */",
    `export const EVENTS: usize = memory.data<u8>([\n${chunked(evs)}\n]);`,
    "",
    `/** Enum value names in snake_case, per kind (${ENUM_KINDS.join(", ")}): count ‖ (length ‖ name)*. */`,
    `export const ENUM_NAMES: usize = memory.data<u8>([\n${chunked(enums)}\n]);`,
    "",
    "/** Error code names, by code: (length ‖ name)*. */",
    `export const CODE_NAMES: usize = memory.data<u8>([\n${chunked(codes)}\n]);`,
    `export const CODE_COUNT: i32 = ${ERROR_CODES.length};`,
    "",
    "/** cw2: the contract name and this module's version (package.json). */",
    'export const CONTRACT_NAME = "onchain-canary";',
    `export const CONTRACT_VERSION = ${JSON.stringify(PACKAGE_VERSION)};`,
    "",
    "/** Calls the Borsh entry point of method `index` (its arguments already set as the input). */",
    "export function dispatch(index: i32): i32 {",
    "  switch (index) {",
    ...cases,
    "  }",
    "  return 1; // BadInput",
    "}",
    "",
  ].join("\n");
}
