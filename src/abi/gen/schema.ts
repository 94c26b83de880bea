// JSON Schema (draft-07) of the CosmWasm messages and responses, laid out as cosmwasm-schema's
// `write_api!` publishes them: `schema/raw/{instantiate,execute,query,migrate,sudo}.json`,
// `schema/raw/response_to_<query>.json` and the combined `schema/<contract>.json`
// (contract_name, contract_version, idl_version, the five messages, `responses` by query).
// Computed from the ABI definition through src/abi/cosmwasm.ts; the shapes follow schemars:
// `Uint64`/`Int64` strings and `Addr` as cosmwasm-std defines them, unit enums as snake_case
// string enums, Option as `anyOf [T, null]` (or `type: [t, "null"]`) and not required,
// `additionalProperties: false` everywhere (the contract refuses unknown fields).

import { ENUMS, METHOD_DEFS, POLICY_FIELDS, STRUCT_DOCS, STRUCTS } from "../definition.ts";
import type { EnumKind, Field, StructDef } from "../field.ts";
import {
  CONTRACT_NAME,
  EXECUTE_METHODS,
  INSTANTIATE_FIELDS,
  QUERY_METHODS,
  SUDO_MESSAGES,
  enumJsonNames,
  jsonDefaults,
  messageName,
  snake,
  type MethodName,
} from "../cosmwasm.ts";

export type JsonSchema = { [k: string]: unknown };

const DRAFT = "http://json-schema.org/draft-07/schema#";

/** cosmwasm-std's scalar definitions (their descriptions shortened), plus a pattern each. */
const SCALARS: Record<string, JsonSchema> = {
  Addr: {
    description: "A human readable address (bech32), validated by the chain's addr_validate.",
    type: "string",
  },
  Uint64: {
    description: "A u64 encoded as a decimal string (cosmwasm-std Uint64): \"0\" … \"18446744073709551615\".",
    type: "string",
    pattern: "^[0-9]{1,20}$",
  },
  Int64: {
    description: "An i64 encoded as a decimal string (cosmwasm-std Int64).",
    type: "string",
    pattern: "^-?[0-9]{1,19}$",
  },
};

const INT_RANGE = { u8: 255, u16: 65535, u32: 4294967295 } as const;

/** Struct values that have a definition of their own, by identity. */
const NAMED = new Map<object, string>(Object.entries(STRUCTS).map(([n, f]) => [f.struct as object, n]));

class Builder {
  readonly definitions: Record<string, JsonSchema> = {};

  ref(name: string, make: () => JsonSchema): JsonSchema {
    if (!(name in this.definitions)) {
      this.definitions[name] = {}; // reserve (recursion)
      this.definitions[name] = make();
    }
    return { $ref: `#/definitions/${name}` };
  }

  field(f: Field): JsonSchema {
    if (typeof f === "string") {
      switch (f) {
        case "u8":
        case "u16":
        case "u32":
          return { type: "integer", format: `uint${f.slice(1)}`, minimum: 0, maximum: INT_RANGE[f] };
        case "u64":
          return this.ref("Uint64", () => SCALARS.Uint64!);
        case "i64":
          return this.ref("Int64", () => SCALARS.Int64!);
        case "bool":
          return { type: "boolean" };
        case "string":
          return { type: "string" };
        case "account":
          return this.ref("Addr", () => SCALARS.Addr!);
      }
    }
    if ("vec" in f) return { type: "array", items: this.field(f.vec) };
    if ("option" in f) {
      const inner = this.field(f.option);
      if (typeof inner.type === "string") return { ...inner, type: [inner.type, "null"] };
      return { anyOf: [inner, { type: "null" }] };
    }
    if ("enum" in f) return this.enumRef(f.enum);
    const named = NAMED.get(f.struct);
    if (named !== undefined) return this.ref(named, () => this.object(f.struct, "all", docsOf(named)));
    return this.object(f.struct, "all");
  }

  enumRef(kind: EnumKind): JsonSchema {
    return this.ref(kind, () => ({
      description: ENUMS[kind].doc,
      type: "string",
      enum: enumJsonNames(kind),
    }));
  }

  /** An object of `s`'s fields in snake_case; `required`: "all" (Options excepted), "none", or all but the listed. */
  object(s: StructDef, required: "all" | "none" | readonly string[], docs: Record<string, string> = {}): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    const req: string[] = [];
    for (const [k, f] of Object.entries(s)) {
      const p = this.field(f);
      properties[snake(k)] = docs[k] !== undefined ? withDescription(p, docs[k]) : p;
      const optional = (typeof f === "object" && "option" in f) || required === "none" || (Array.isArray(required) && required.includes(k));
      if (!optional) req.push(snake(k));
    }
    const out: JsonSchema = { type: "object" };
    if (req.length > 0) out.required = req;
    out.properties = properties;
    out.additionalProperties = false;
    return out;
  }
}

function withDescription(s: JsonSchema, d: string): JsonSchema {
  // A $ref sibling is ignored by draft-07, so wrap it the way schemars does.
  return "$ref" in s ? { description: d, allOf: [s] } : { description: d, ...s };
}

function docsOf(struct: string): Record<string, string> {
  if (struct === "Policy") return Object.fromEntries(Object.entries(POLICY_FIELDS).map(([k, v]) => [k, `${v.doc} (valid: ${v.valid})`]));
  return { ...(STRUCT_DOCS[struct as keyof typeof STRUCTS] ?? {}) };
}

function root(title: string, body: JsonSchema, b: Builder): JsonSchema {
  const out: JsonSchema = { $schema: DRAFT, title, ...body };
  if (Object.keys(b.definitions).length > 0) out.definitions = sortKeys(b.definitions);
  return out;
}

function sortKeys(o: Record<string, JsonSchema>): Record<string, JsonSchema> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]!]));
}

/** One message variant: `{ "<name>": { ...args } }`. */
function variant(b: Builder, method: MethodName): JsonSchema {
  const def = METHOD_DEFS[method];
  const s = def.args.struct as StructDef;
  let inner: JsonSchema;
  if (method === "createFeature") {
    // On create the policy may leave out any field: the defaults fill in (COSMWASM.md section 3).
    inner = b.object(s, "all");
    (inner.properties as Record<string, JsonSchema>).policy = {
      anyOf: [b.ref("PolicyInput", () => b.object(STRUCTS.Policy.struct, "none", docsOf("Policy"))), { type: "null" }],
    };
  } else {
    inner = b.object(s, Object.keys(jsonDefaults(method)));
  }
  const defaults = jsonDefaults(method);
  for (const [k, v] of Object.entries(defaults)) {
    const props = inner.properties as Record<string, JsonSchema>;
    props[snake(k)] = { ...props[snake(k)]!, default: v };
  }
  const name = messageName(method);
  return { description: def.doc, type: "object", required: [name], properties: { [name]: inner }, additionalProperties: false };
}

export function instantiateSchema(): JsonSchema {
  const b = new Builder();
  const body = b.object(INSTANTIATE_FIELDS, "all", {
    admin: "the first Admin (default: the sender)",
    maxDuePerBlock: "due features one sudo end-block call processes at most (default sized to stay under 100,000 gas); the rest advance in the next blocks, in due order",
  });
  return root("InstantiateMsg", body, b);
}

export function executeSchema(): JsonSchema {
  const b = new Builder();
  return root("ExecuteMsg", { oneOf: EXECUTE_METHODS.map((m) => variant(b, m)) }, b);
}

export function querySchema(): JsonSchema {
  const b = new Builder();
  return root("QueryMsg", { oneOf: QUERY_METHODS.map((m) => variant(b, m)) }, b);
}

export function sudoSchema(): JsonSchema {
  const b = new Builder();
  const docs: Record<string, string> = {
    clock_end_block: "runs onPersist at env.block.height (Juno x/clock; Neutron cron)",
    cadence_end_block: "the same, as x/cadence (Archway x/cwcallback) sends it",
    end_block: "the same, under the older name",
  };
  return root(
    "SudoMsg",
    {
      oneOf: SUDO_MESSAGES.map((n) => ({
        description: docs[n],
        type: "object",
        required: [n],
        properties: { [n]: { type: "object", additionalProperties: false } },
        additionalProperties: false,
      })),
    },
    b,
  );
}

export function migrateSchema(): JsonSchema {
  return root("MigrateMsg", { description: "upgrades every record to the current layout; refuses a downgrade", type: "object", additionalProperties: false }, new Builder());
}

/** schemars' title of a response type. */
function responseTitle(f: Field): string {
  if (typeof f === "string") return f === "bool" ? "Boolean" : f === "string" ? "String" : f === "account" ? "Addr" : f === "u64" ? "Uint64" : f === "i64" ? "Int64" : f.replace("u", "uint");
  if ("vec" in f) return `Array_of_${responseTitle(f.vec)}`;
  if ("option" in f) return `Nullable_${responseTitle(f.option)}`;
  if ("enum" in f) return f.enum;
  return NAMED.get(f.struct) ?? "Object";
}

/** The response schema of one query. */
export function responseSchema(method: MethodName): JsonSchema {
  const result = METHOD_DEFS[method].result as Field | null;
  if (result === null) throw new Error(`${method} has no result`);
  const b = new Builder();
  const body = b.field(result);
  // A top-level named struct is inlined with its definition kept, as schemars does.
  const named = typeof result === "object" && "struct" in result ? NAMED.get(result.struct) : undefined;
  const inlined = named !== undefined ? { ...b.definitions[named]! } : body;
  if (named !== undefined) delete b.definitions[named];
  return root(responseTitle(result), inlined, b);
}

/** Every response schema, by query message name. */
export function responseSchemas(): Record<string, JsonSchema> {
  return Object.fromEntries(QUERY_METHODS.map((m) => [messageName(m), responseSchema(m)]));
}

const text = (v: unknown): string => JSON.stringify(v, null, 2) + "\n";

/** Path → text of every schema file (`version`: the contract version cw2 records). */
export function schemaFiles(version: string): Record<string, string> {
  const msgs = {
    instantiate: instantiateSchema(),
    execute: executeSchema(),
    query: querySchema(),
    migrate: migrateSchema(),
    sudo: sudoSchema(),
  };
  const responses = responseSchemas();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(msgs)) out[`schema/raw/${k}.json`] = text(v);
  for (const [k, v] of Object.entries(responses)) out[`schema/raw/response_to_${k}.json`] = text(v);
  out[`schema/${CONTRACT_NAME}.json`] = text({
    contract_name: CONTRACT_NAME,
    contract_version: version,
    idl_version: "1.0.0",
    ...msgs,
    responses,
  });
  return out;
}
