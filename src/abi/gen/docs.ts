// The generated sections of docs/ABI.md and docs/STORAGE.md. A section lies between
// `<!-- generated:ID -->` and `<!-- /generated:ID -->`; everything outside the markers is
// written by hand. `fillSections` replaces each section's body with what the definition
// generates, so a committed doc that differs from the definition is a diff (and a failing
// test: tests/abi/generated.test.ts).

import {
  ENUMS,
  ERROR_CODES,
  EVENT_DEFS,
  METHOD_DEFS,
  POLICY,
  POLICY_FIELDS,
  POLICY_V1,
  RECORDS,
  STRUCTS,
  STRUCT_DOCS,
  type Access,
  type RecordField,
} from "../definition.ts";
import type { Field } from "../field.ts";
import { DEFAULT_POLICY, encodePolicy } from "../../client/schema.ts";
import { add, formatSize, place, symbolicSize, type Size } from "./layout.ts";

/** Variable parts named by field: a name of n bytes, a description of d, m accounts, … */
const SYMS: Record<string, string> = { name: "n", description: "d", startAfter: "a", accounts: "m", steps: "k", salt: "s", rollbackReason: "r", reason: "r", actor: "a" };

function symsOf(name: string, f: Field): string[] {
  return f === POLICY || f === POLICY_V1 ? ["k", "s"] : [SYMS[name] ?? "x"];
}

/** The struct name of a field that is one of the definition's structs. */
function structName(f: Field): string | undefined {
  for (const [name, s] of Object.entries(STRUCTS)) if (s === f) return name;
  return undefined;
}

function typeLabel(f: Field): string {
  if (typeof f === "string") return f === "string" ? "String" : f;
  if ("vec" in f) return `Vec<${typeLabel(f.vec)}>`;
  if ("option" in f) return `Option<${typeLabel(f.option)}>`;
  if ("enum" in f) return `u8 (${f.enum})`;
  if (f === POLICY_V1) return "Policy v1";
  return structName(f) ?? "struct";
}

const isOptionalPolicy = (f: Field): boolean => typeof f === "object" && "option" in f && f.option === POLICY;

/** An Option<Policy> counts as its None form (1 byte); the docs add the policy in words. */
function sizeOf(name: string, f: Field): Size {
  if (isOptionalPolicy(f)) return { bytes: 1, vars: {} };
  return symbolicSize(f, symsOf(name, f));
}

function bytesCell(name: string, f: Field): string {
  return isOptionalPolicy(f) ? `1, or 1 + ${fmt(symbolicSize(POLICY, ["k", "s"]))}` : fmt(sizeOf(name, f));
}

const fmt = (s: Size): string => formatSize(s).replace(/\+/g, " + ");

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const cell = (c: string): string => c.replace(/\|/g, "\\|");
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)];
}

// ---------------------------------------------------------------- sections

function accessLine(a: Access): string {
  if (a === "view") return "view (anyone; never writes).";
  if (a === "anyone") return "anyone: no role and no witness.";
  if (a === "host") return "the host, after every block (the contract does not check the sender).";
  if ("witness" in a) return `none held yet — needs the witness of \`${a.witness}\` (the sender does not matter).`;
  const roles = a.roles.join(" or ");
  return a.roles.includes("Admin") ? `${roles}.` : `${roles} (or Admin).`;
}

function methodSection(method: keyof typeof METHOD_DEFS): string[] {
  const def = METHOD_DEFS[method];
  const fields = Object.entries(def.args.struct) as [string, Field][];
  const total = fields.reduce<Size>((a, [k, f]) => add(a, sizeOf(k, f)), { bytes: 0, vars: {} });
  const out = [`**Role:** ${accessLine(def.access)}`, ""];
  if (fields.length === 0) out.push("**Arguments** — 0 bytes.");
  else {
    const withPolicy = fields.some(([, f]) => isOptionalPolicy(f)) ? ", plus the policy when present" : "";
    out.push(`**Arguments** — ${fmt(total)} bytes${withPolicy}`, "");
    out.push(...table(["field", "type", "bytes"], fields.map(([k, f]) => [k, `\`${typeLabel(f)}\``, bytesCell(k, f)])));
  }
  out.push("", `**Result:** \`${def.result === null ? "()" : typeLabel(def.result)}\`.`);
  if ("allowed" in def && def.allowed) {
    for (const [k, vs] of Object.entries(def.allowed)) out.push("", `\`${k}\` must be ${vs.join(" or ")} (else BadInput).`);
  }
  return out;
}

function methodsSummary(): string[] {
  return table(
    ["method", "arguments", "result", "who"],
    Object.entries(METHOD_DEFS).map(([m, d]) => [
      `\`${m}\``,
      Object.entries(d.args.struct).map(([k, f]) => `${k}: ${typeLabel(f as Field)}`).join(", ") || "—",
      d.result === null ? "()" : typeLabel(d.result),
      accessLine(d.access).replace(/\.$/, ""),
    ]),
  );
}

function structSection(name: keyof typeof STRUCTS): string[] {
  const def = STRUCTS[name];
  const docs = STRUCT_DOCS[name] ?? {};
  const fields = Object.entries(def.struct).map(([k, f]) => ({ name: k, type: f as Field, sym: symsOf(k, f as Field).join(",") }));
  const placed = place(fields);
  const total = placed.reduce<Size>((a, p) => add(a, p.size), { bytes: 0, vars: {} });
  return [
    `${fmt(total)} bytes.`,
    "",
    ...table(["offset", "field", "type", "bytes", "meaning"], placed.map((p) => [formatSize(p.at), p.name, `\`${typeLabel(p.type)}\``, fmt(p.size), docs[p.name] ?? ""])),
  ];
}

function policySection(): string[] {
  const placed = place(Object.entries(POLICY.struct).map(([k, f]) => ({ name: k, type: f as Field, sym: SYMS[k] })));
  const hex = Buffer.from(encodePolicy(DEFAULT_POLICY)).toString("hex");
  return [
    `\`k\` = number of steps, \`s\` = salt length; ${fmt(placed.reduce<Size>((a, p) => add(a, p.size), { bytes: 0, vars: {} }))} bytes.`,
    "",
    ...table(
      ["offset", "field", "type", "bytes", "default", "valid when", "meaning"],
      placed.map((p) => {
        const f = POLICY_FIELDS[p.name as keyof typeof POLICY_FIELDS];
        const d = Array.isArray(f.default) ? (f.default.length ? f.default.join(", ") : "empty") : f.default === "" ? '""' : String(f.default);
        return [formatSize(p.at), p.name, `\`${typeLabel(p.type)}\``, fmt(p.size), d, f.valid, f.doc];
      }),
    ),
    "",
    `The defaults encode as \`${hex}\` (${hex.length / 2} bytes).`,
  ];
}

function eventSection(name: keyof typeof EVENT_DEFS): string[] {
  const def = EVENT_DEFS[name];
  const fields = Object.entries(def.payload.struct).map(([k, f]) => ({ name: k, type: f as Field, sym: symsOf(k, f as Field).join(",") }));
  const placed = place(fields);
  const total = placed.reduce<Size>((a, p) => add(a, p.size), { bytes: 0, vars: {} });
  return [
    `Payload: ${fmt(total)} bytes. Emitted by: ${def.doc}.`,
    "",
    ...table(["offset", "field", "type", "bytes"], placed.map((p) => [formatSize(p.at), p.name, `\`${typeLabel(p.type)}\``, fmt(p.size)])),
  ];
}

function errorsSection(): string[] {
  return table(["code", "name", "meaning"], ERROR_CODES.map(([n, doc], i) => [String(i), n, doc]));
}

function enumsSection(): string[] {
  return table(
    ["enum", "values (u8 tag name)", "meaning"],
    Object.entries(ENUMS).map(([k, d]) => [k, d.values.map(([n], i) => `${i} ${n}`).join(", "), d.doc]),
  );
}

/** Rows for a record's fields; nested structs (the counters, the policy) are spelled out. */
function recordRows(fields: readonly RecordField[]): string[][] {
  const rows: string[][] = [];
  const placed = place(fields.map((f) => ({ ...f, sym: f.sym })));
  placed.forEach((p, i) => {
    const f = fields[i]!;
    const t = p.type;
    if (typeof t === "object" && "struct" in t && t !== POLICY && t !== POLICY_V1) {
      const inner = place(Object.entries(t.struct).map(([k, sub]) => ({ name: k, type: sub as Field })));
      inner.forEach((q, j) => rows.push([formatSize(add(p.at, q.at)), fmt(q.size), `${f.name}.${q.name}`, `\`${typeLabel(q.type)}\``, j === 0 ? f.doc : ""]));
    } else rows.push([formatSize(p.at), fmt(p.size), f.name, `\`${typeLabel(t)}\``, f.doc]);
  });
  return rows;
}

function recordSection(key: keyof typeof RECORDS): string[] {
  const rec = RECORDS[key];
  const out: string[] = [];
  for (const v of rec.versions) {
    const placed = place(v.fields);
    const total = placed.reduce<Size>((a, p) => add(a, p.size), { bytes: 0, vars: {} });
    out.push(`Key \`${rec.key}\`; value version ${v.version}: ${fmt(total)} bytes.`, "");
    out.push(...table(["offset", "bytes", "field", "type", "meaning"], recordRows(v.fields)));
    out.push("");
  }
  out.pop();
  return out;
}

/** Every generated section by id. */
export function docSections(): Record<string, string[]> {
  const s: Record<string, string[]> = {
    enums: enumsSection(),
    policy: policySection(),
    methods: methodsSummary(),
    errors: errorsSection(),
  };
  for (const m of Object.keys(METHOD_DEFS) as (keyof typeof METHOD_DEFS)[]) s[`method:${m}`] = methodSection(m);
  for (const n of Object.keys(STRUCTS) as (keyof typeof STRUCTS)[]) if (n !== "Policy") s[`struct:${n}`] = structSection(n);
  for (const e of Object.keys(EVENT_DEFS) as (keyof typeof EVENT_DEFS)[]) s[`event:${e}`] = eventSection(e);
  for (const r of Object.keys(RECORDS) as (keyof typeof RECORDS)[]) s[`record:${r}`] = recordSection(r);
  return s;
}

const SECTION = /<!-- generated:([\w:]+) -->\n[\s\S]*?<!-- \/generated:\1 -->/g;

/**
 * `text` with every generated section's body replaced. Throws on a marker the definition does
 * not know (a renamed method, say), so a stale section cannot linger.
 */
export function fillSections(text: string, sections: Record<string, string[]>, file: string): string {
  return text.replace(SECTION, (_all, id: string) => {
    const body = sections[id];
    if (!body) throw new Error(`${file}: generated section "${id}" is not produced by the ABI definition`);
    return `<!-- generated:${id} -->\n${body.join("\n")}\n<!-- /generated:${id} -->`;
  });
}

/** The ids of the sections present in `text`. */
export function sectionIds(text: string): string[] {
  return [...text.matchAll(SECTION)].map((m) => m[1]!);
}
