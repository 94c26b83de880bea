// Byte layouts computed from the ABI definition: where each field of a struct or record lies,
// as a fixed offset within a segment (a run of fields after the last variable-size one) and
// as a symbolic offset for the docs (`36+r`, `180+r+d`). Used by the AssemblyScript and doc
// generators, so an offset is never typed by hand.

import { ENUMS } from "../definition.ts";
import type { Field } from "../field.ts";

/** A size: a constant plus named variable parts (`{ r: 1 }` for an Option<u8>, `{ k: 2 }` for steps). */
export interface Size {
  readonly bytes: number;
  readonly vars: Readonly<Record<string, number>>;
}

const FIXED: Record<string, number> = { u8: 1, u16: 2, u32: 4, u64: 8, i64: 8, bool: 1, account: 20 };

export function isFixed(f: Field): boolean {
  return fixedSize(f) !== undefined;
}

/** The size of a fixed-size field, undefined for a variable one. */
export function fixedSize(f: Field): number | undefined {
  if (typeof f === "string") return FIXED[f];
  if ("enum" in f) return 1;
  if ("struct" in f) {
    let n = 0;
    for (const sub of Object.values(f.struct)) {
      const s = fixedSize(sub);
      if (s === undefined) return undefined;
      n += s;
    }
    return n;
  }
  return undefined;
}

/**
 * The size of `f` with its variable parts named by `syms` (in the order the variable parts
 * occur: a String or Vec takes one name, an Option one, a struct passes the rest to its fields).
 */
export function symbolicSize(f: Field, syms: string[]): Size {
  const fixed = fixedSize(f);
  if (fixed !== undefined) return { bytes: fixed, vars: {} };
  if (typeof f === "string") return { bytes: 4, vars: { [syms.shift() ?? "n"]: 1 } }; // String
  if ("vec" in f) return { bytes: 4, vars: { [syms.shift() ?? "n"]: fixedSize(f.vec) ?? 1 } };
  if ("option" in f) {
    const inner = fixedSize(f.option) ?? 1;
    return { bytes: 1, vars: { [syms.shift() ?? "o"]: inner } };
  }
  if ("struct" in f) {
    let total: Size = { bytes: 0, vars: {} };
    for (const sub of Object.values(f.struct)) total = add(total, symbolicSize(sub, syms));
    return total;
  }
  return { bytes: 1, vars: {} };
}

export function add(a: Size, b: Size): Size {
  const vars: Record<string, number> = { ...a.vars };
  for (const [k, v] of Object.entries(b.vars)) vars[k] = (vars[k] ?? 0) + v;
  return { bytes: a.bytes + b.bytes, vars };
}

/** `180+r+d`, `4+2k`, `0`. */
export function formatSize(s: Size): string {
  const parts: string[] = [];
  if (s.bytes !== 0 || Object.keys(s.vars).length === 0) parts.push(String(s.bytes));
  for (const [k, v] of Object.entries(s.vars)) parts.push(v === 1 ? k : `${v}${k}`);
  return parts.join("+");
}

/** One field's place: its segment, its offset there, and its symbolic offset and size. */
export interface Placed {
  readonly name: string;
  readonly type: Field;
  /** 0 = from the start; i = after the i-th variable-size field. */
  readonly segment: number;
  /** Offset within the segment. */
  readonly offset: number;
  readonly at: Size;
  readonly size: Size;
  readonly fixed: boolean;
}

/** Places the fields in order; `syms[i]` names the variable parts of field i ("k,s" for two). */
export function place(fields: readonly { name: string; type: Field; sym?: string }[]): Placed[] {
  const out: Placed[] = [];
  let segment = 0;
  let offset = 0;
  let at: Size = { bytes: 0, vars: {} };
  for (const f of fields) {
    const size = symbolicSize(f.type, f.sym ? f.sym.split(",") : []);
    const fixed = isFixed(f.type);
    out.push({ name: f.name, type: f.type, segment, offset, at, size, fixed });
    at = add(at, size);
    if (fixed) offset += size.bytes;
    else {
      segment++;
      offset = 0;
    }
  }
  return out;
}

/** SCREAMING_SNAKE of a camelCase name. */
export function constName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/** A type as the docs write it: `u16`, `String`, `Vec<u16>`, `Option<u8> (RollbackReason)`. */
export function typeName(f: Field): string {
  if (typeof f === "string") return f === "string" ? "String" : f;
  if ("vec" in f) return `Vec<${typeName(f.vec)}>`;
  if ("option" in f) return `Option<${typeName(f.option)}>`;
  if ("enum" in f) return `u8 (${f.enum})`;
  return "struct";
}

/** The names of an enum's values by tag: `0 Disabled, 1 Canary, …`. */
export function enumList(kind: keyof typeof ENUMS): string {
  return ENUMS[kind].values.map(([n], i) => `${i} ${n}`).join(", ");
}
