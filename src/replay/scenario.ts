// Scenario files (REPLAY.md): JSON or YAML, one schema, checked completely before anything
// runs. A problem is reported with the file, the path inside it (`blocks[3].txs[1].args.bps`),
// the line when the file is YAML or JSON text, and what was expected.
//
// The result is normalized for the replay: accounts resolved to lower-case 0x-hex (the alias
// as written is kept for output), enum values as numbers, u64 as bigint, expectations with
// their `what` text already built.

import { readFileSync } from "node:fs";
import { z } from "zod";
import { LineCounter, parseDocument } from "yaml";
import { METHODS, METHOD_NAMES, type MethodName } from "../abi/methods.ts";
import { ARGS, EVENTS, EVENT_NAMES, RESULTS, isEventName, type EventName } from "../client/schema.ts";
import { errorName, parseErrorCode } from "../client/errors.ts";
import type { Field } from "../client/codec.ts";
import { accountSchema, describe, fieldSchema, leaf, valueText, type AccountBook } from "./fields.ts";

// ---------------------------------------------------------------- normalized scenario

export interface ScenarioTx {
  /** Sender as 0x-hex, and as the scenario wrote it (alias or hex) for output. */
  sender: string;
  senderLabel: string;
  method: MethodName;
  /** Arguments as `CanaryClient.call` takes them (accounts 0x-hex, enums numbers, u64 bigint). */
  args: Record<string, unknown>;
  /** Signers as 0x-hex; undefined = `[sender]`. */
  witnesses?: string[];
  /** This transaction's gas limit (metered module); undefined = the scenario's default. */
  gasLimit?: number;
}

export type Expectation =
  | { kind: "view"; view: MethodName; args: Record<string, unknown>; match: unknown; what: string }
  | { kind: "tx"; tx: number; ok: boolean; what: string }
  | { kind: "fault"; tx: number; code: number; codeName: string; what: string }
  | { kind: "event"; event: EventName; match?: Record<string, unknown>; what: string };

export interface ScenarioBlock {
  height: number;
  txs: ScenarioTx[];
  expect: Expectation[];
}

/** A shared outage: both paths' error rates raised by addBps at heights from..to. */
export interface TrafficOutage {
  from: number;
  to: number;
  addBps: number;
}

/**
 * A regression of the new path: exposed calls fail at exposedErrorRateBps instead of
 * errorRateBps.exposed from height `from` on, or after the feature's first
 * `afterExposedCalls` exposed calls (exactly one of the two).
 */
export interface TrafficRegression {
  from?: number;
  afterExposedCalls?: number;
  exposedErrorRateBps: number;
}

/** How the reporter reports a block: recordBatch of the exposed calls, or recordCohorts of both. */
export type TrafficReport = "batch" | "cohorts";
export const TRAFFIC_REPORTS: readonly TrafficReport[] = ["batch", "cohorts"];

export interface TrafficSpec {
  feature: string;
  from: number;
  to: number;
  callsPerBlock: number;
  population: number;
  errorRateBps: { exposed: number; unexposed: number };
  latency?: { exposed: bigint; unexposed: bigint };
  /** Default "batch" (absent = batch). */
  report?: TrafficReport;
  outages?: TrafficOutage[];
  regression?: TrafficRegression;
  reporter: string;
  reporterLabel: string;
}

export interface Scenario {
  name: string;
  description?: string;
  seed: number | string;
  /** Alias → lower-case 0x-hex. */
  accounts: Record<string, string>;
  admin: string;
  adminLabel: string;
  until: number;
  /** Default gas limit of every transaction, the traffic reporter's included (metered module). */
  gasLimit?: number;
  blocks: ScenarioBlock[];
  traffic: TrafficSpec[];
}

/** `fault: OutOfGas`: the host's gas fault (docs/GAS.md), told apart from other traps (code −1). */
const OUT_OF_GAS = "OutOfGas";
const OUT_OF_GAS_CODE = -1_000_000; // a marker inside the schema only

// ---------------------------------------------------------------- errors

export interface Problem {
  /** `blocks[3].txs[1].args.bps`, or "" for the document itself. */
  path: string;
  message: string;
  /** 1-based line in the file, when known. */
  line?: number;
}

/** A scenario was refused: nothing ran. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(
      problems
        .map((p) => `${file}${p.line !== undefined ? `:${p.line}` : ""}: ${p.path ? `${p.path}: ` : ""}${p.message}`)
        .join("\n"),
    );
    this.name = "ScenarioError";
  }
}

/** `["blocks", 3, "txs", 1, "args", "bps"]` → `blocks[3].txs[1].args.bps`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

// ---------------------------------------------------------------- schema

/** Limits of the replay itself (not of the contract). */
export const LIMITS = {
  /** isEnabledMany takes at most 1024 accounts; the replay decides a block's exposure with one call. */
  callsPerBlock: 1024,
  population: 100_000_000,
  /** Outages per traffic entry. */
  outages: 64,
  maxHeight: 0xffff_ffff,
} as const;

const ALIAS = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const HEX40 = /^0x[0-9a-fA-F]{40}$/;
const FEATURE_NAME = /^[a-z0-9_.-]{1,64}$/;

const int = (lo: number, hi: number, what = "an integer") =>
  leaf(`${what} ${lo}..${hi}`, (v) => (typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi ? v : undefined));

const bps = int(0, 10000, "bps, an integer");

const u64Value = leaf("an integer ≥ 0 (write values above 2^53 as a decimal string)", (v) => {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === "string" && /^[0-9]{1,20}$/.test(v) && BigInt(v) < 1n << 64n) return BigInt(v);
  return undefined;
});

const nonEmptyString = leaf("a non-empty string", (v) => (typeof v === "string" && v.length > 0 ? v : undefined));

const seedSchema = leaf("an integer ≥ 0 or a string", (v) =>
  (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) || (typeof v === "string" && v.length > 0) ? v : undefined,
);

const featureName = leaf("a feature name: 1..64 characters of a-z 0-9 _ . -", (v) =>
  typeof v === "string" && FEATURE_NAME.test(v) ? v : undefined,
);

const TX_METHODS = METHOD_NAMES.filter((m) => m !== "onPersist");
const VIEW_METHODS = METHOD_NAMES.filter((m) => METHODS[m].view);

const methodSchema = (allowed: readonly MethodName[], what: string) =>
  leaf(`${what}: one of ${allowed.join(", ")}`, (v) => (typeof v === "string" && (allowed as readonly string[]).includes(v) ? (v as MethodName) : undefined));

function strict<T extends z.ZodRawShape>(shape: T, what: string) {
  const fields = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === "unrecognized_keys") {
        return `unknown field ${iss.keys.map((k) => JSON.stringify(k)).join(", ")} in ${what}; expected ${fields.join(", ")}`;
      }
      if (iss.code === "invalid_type") return `expected ${what} (an object with ${fields.join(", ")}), got ${describe(iss.input)}`;
      return undefined;
    },
  });
}

function list<T extends z.ZodType>(item: T, what: string) {
  return z.array(item, { error: (iss) => (iss.code === "invalid_type" ? `expected a list of ${what}, got ${describe(iss.input)}` : undefined) });
}

/** Parses `value` with `schema` inside a transform, re-reporting its issues under `prefix`. */
function sub<T>(schema: z.ZodType<T>, value: unknown, ctx: z.RefinementCtx, prefix: PropertyKey[]): T | undefined {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return r.data;
  for (const iss of r.error.issues) {
    const e = explain(iss);
    ctx.addIssue({ code: "custom", message: e.message, path: [...prefix, ...e.path] });
  }
  return undefined;
}

function argsSchema(method: MethodName, book: AccountBook): z.ZodType<Record<string, unknown>> {
  return fieldSchema(ARGS[method], "arg", book) as z.ZodType<Record<string, unknown>>;
}

/** The text of a method's argument values as written: `vita_recovery_v2 ops`. */
function argsText(method: MethodName, written: unknown): string {
  const def = (ARGS[method] as { struct: Record<string, Field> }).struct;
  const obj = (written ?? {}) as Record<string, unknown>;
  return Object.keys(def)
    .filter((k) => obj[k] !== undefined)
    .map((k) => (typeof obj[k] === "string" ? (obj[k] as string) : JSON.stringify(obj[k])))
    .join(" ");
}

/** How an expected value reads in `what`: `status=RollingOut`, or `= true` / `= None` for a plain value. */
export function matchText(field: Field, expected: unknown): string {
  const isStruct = expected !== null && typeof expected === "object" && !Array.isArray(expected);
  return `${isStruct ? "" : "= "}${valueText(field, expected, expected)}`;
}

/** A transaction: sender and witnesses are accounts of the book, args the method's. */
function txSchema(book: AccountBook, account: z.ZodType<string>) {
  return strict(
    {
      sender: z.unknown().optional(),
      method: methodSchema(TX_METHODS, "a contract method (onPersist is the host's)"),
      args: z.unknown().optional(),
      witnesses: z.unknown().optional(),
      gasLimit: int(1, Number.MAX_SAFE_INTEGER, "a gas limit, a positive integer").optional(),
    },
    "a transaction",
  ).transform((t, ctx): ScenarioTx => {
    const sender = sub(account, t.sender, ctx, ["sender"]);
    const args = sub(argsSchema(t.method, book), t.args ?? {}, ctx, ["args"]);
    let witnesses: string[] | undefined;
    if (t.witnesses !== undefined) witnesses = sub(list(account, "accounts"), t.witnesses, ctx, ["witnesses"]);
    if (sender === undefined || args === undefined || (t.witnesses !== undefined && witnesses === undefined)) return z.NEVER;
    const out: ScenarioTx = { sender, senderLabel: t.sender as string, method: t.method, args };
    if (witnesses !== undefined) out.witnesses = witnesses;
    if (t.gasLimit !== undefined) out.gasLimit = t.gasLimit;
    return out;
  });
}

/** {view, args, match}: the view's result (or the fields of it) must match. */
function viewExpectSchema(book: AccountBook) {
  return strict({ view: methodSchema(VIEW_METHODS, "a view method"), args: z.unknown().optional(), match: z.unknown().optional() }, "a view expectation").transform(
    (e, ctx): Expectation => {
      const args = sub(argsSchema(e.view, book), e.args ?? {}, ctx, ["args"]);
      const field = RESULTS[e.view] as Field;
      if (!("match" in e) || e.match === undefined) {
        ctx.addIssue({ code: "custom", message: "expected match: the value (or the fields of it) the view must return", path: ["match"] });
        return z.NEVER;
      }
      const match = sub(fieldSchema(field, "match", book), e.match, ctx, ["match"]);
      if (args === undefined || match === undefined) return z.NEVER;
      const what = [e.view, argsText(e.view, e.args), matchText(field, match)].filter((s) => s !== "").join(" ");
      return { kind: "view", view: e.view, args, match, what };
    },
  );
}

const txIndex = int(0, 1_000_000, "a transaction index of this block,");

/** {tx, ok}: the block's transaction tx succeeds or fails. */
const okExpect = strict({ tx: txIndex, ok: leaf("true or false", (v) => (typeof v === "boolean" ? v : undefined)) }, "a tx expectation").transform(
  (e): Expectation => ({ kind: "tx", tx: e.tx, ok: e.ok, what: "" }),
);

/** {tx, fault}: the block's transaction tx fails with that error. */
const faultExpect = strict(
  {
    tx: txIndex,
    fault: leaf("an error name of SPEC section 6 (InvalidTransition, Unauthorized, …), Fault or OutOfGas", (v) => {
      if (typeof v !== "string" && typeof v !== "number") return undefined;
      if (v === OUT_OF_GAS) return OUT_OF_GAS_CODE;
      try {
        const code = parseErrorCode(v);
        return code === 0 ? undefined : code;
      } catch {
        return undefined;
      }
    }),
  },
  "a fault expectation",
).transform((e): Expectation => ({ kind: "fault", tx: e.tx, code: e.fault === OUT_OF_GAS_CODE ? -1 : e.fault, codeName: e.fault === OUT_OF_GAS_CODE ? OUT_OF_GAS : errorName(e.fault), what: "" }));

/** {event, match?}: an event of the block has the name (and matches). */
function eventExpectSchema(book: AccountBook) {
  return strict(
    {
      event: leaf(`an event name: one of ${EVENT_NAMES.join(", ")}`, (v) => (typeof v === "string" && isEventName(v) ? v : undefined)),
      match: z.unknown().optional(),
    },
    "an event expectation",
  ).transform((e, ctx): Expectation => {
    const field = EVENTS[e.event] as Field;
    let match: Record<string, unknown> | undefined;
    if (e.match !== undefined) {
      match = sub(fieldSchema(field, "match", book) as z.ZodType<Record<string, unknown>>, e.match, ctx, ["match"]);
      if (match === undefined) return z.NEVER;
    }
    const what = ["event", e.event, match ? matchText(field, match) : ""].filter((s) => s !== "").join(" ");
    const out: Expectation = { kind: "event", event: e.event, what };
    if (match) out.match = match;
    return out;
  });
}

/** One expectation: which kind is decided by the key it has. */
function expectationSchema(book: AccountBook) {
  const viewExpect = viewExpectSchema(book);
  const eventExpect = eventExpectSchema(book);
  return z.unknown().transform((v, ctx): Expectation => {
    const o = v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    let r: Expectation | undefined;
    if (o && "view" in o) r = sub(viewExpect, o, ctx, []);
    else if (o && "event" in o) r = sub(eventExpect, o, ctx, []);
    else if (o && "tx" in o && "fault" in o && !("ok" in o)) r = sub(faultExpect, o, ctx, []);
    else if (o && "tx" in o && !("fault" in o)) r = sub(okExpect, o, ctx, []);
    else {
      ctx.addIssue({
        code: "custom",
        message: `expected an expectation: {view, args, match}, {tx, ok}, {tx, fault} or {event, match?}; got ${o ? `an object with ${Object.keys(o).join(", ") || "no fields"}` : describe(v)}`,
      });
      return z.NEVER;
    }
    return r ?? z.NEVER;
  });
}

/** A block: its transactions, and expectations whose tx indexes name one of them. */
function blockSchema(book: AccountBook, account: z.ZodType<string>) {
  const tx = txSchema(book, account);
  const expectation = expectationSchema(book);
  return strict(
    {
      height: int(1, LIMITS.maxHeight, "a block height, an integer"),
      txs: list(tx, "transactions").optional(),
      expect: list(expectation, "expectations").optional(),
    },
    "a block",
  ).transform((b, ctx): ScenarioBlock => {
    const txs = b.txs ?? [];
    const expect = b.expect ?? [];
    expect.forEach((e, i) => {
      if (e.kind !== "tx" && e.kind !== "fault") return;
      const t = txs[e.tx];
      if (t === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["expect", i, "tx"],
          message: `expected the index of one of this block's ${txs.length} transaction(s) (0..${txs.length - 1}), got ${e.tx}`,
        });
        return;
      }
      e.what = e.kind === "tx" ? `tx ${e.tx} ${t.method} ${e.ok ? "ok" : "fails"}` : `tx ${e.tx} ${t.method} fault ${e.codeName}`;
    });
    return { height: b.height, txs, expect };
  });
}

/** A traffic entry: calls per block from `from` to `to`, reported by `reporter`. */
function trafficSchema(account: z.ZodType<string>) {
  return strict(
    {
      feature: featureName,
      from: int(1, LIMITS.maxHeight, "a block height, an integer"),
      to: int(1, LIMITS.maxHeight, "a block height, an integer"),
      callsPerBlock: int(1, LIMITS.callsPerBlock, "calls per block, an integer"),
      population: int(1, LIMITS.population, "a number of distinct accounts, an integer"),
      errorRateBps: strict({ exposed: bps, unexposed: bps }, "error rates in bps"),
      latency: strict({ exposed: u64Value, unexposed: u64Value }, "latencies").optional(),
      report: leaf(`how the reporter reports a block: ${TRAFFIC_REPORTS.join(" or ")}`, (v) =>
        typeof v === "string" && (TRAFFIC_REPORTS as readonly string[]).includes(v) ? (v as TrafficReport) : undefined,
      ).optional(),
      outages: list(outageSchema, "outages ({ from, to, addBps })").optional(),
      regression: regressionSchema.optional(),
      reporter: account,
    },
    "a traffic entry",
  ).transform((t, ctx): TrafficSpec => {
    if (t.to < t.from) ctx.addIssue({ code: "custom", path: ["to"], message: `expected a height ≥ from (${t.from}), got ${t.to}` });
    if (t.outages && t.outages.length > LIMITS.outages) {
      ctx.addIssue({ code: "custom", path: ["outages"], message: `expected at most ${LIMITS.outages} outages, got ${t.outages.length}` });
    }
    const { report, outages, regression, ...rest } = t;
    const out: TrafficSpec = { ...rest, report: report ?? "batch", reporterLabel: "" };
    if (outages !== undefined) out.outages = outages;
    if (regression !== undefined) out.regression = regression;
    return out;
  });
}

/** {from, to, addBps}: both paths' error rates raised at heights from..to. */
const outageSchema = strict(
  {
    from: int(1, LIMITS.maxHeight, "a block height, an integer"),
    to: int(1, LIMITS.maxHeight, "a block height, an integer"),
    addBps: int(1, 10000, "bps added to both paths' error rates, an integer"),
  },
  "an outage",
).transform((o, ctx): TrafficOutage => {
  if (o.to < o.from) ctx.addIssue({ code: "custom", path: ["to"], message: `expected a height ≥ from (${o.from}), got ${o.to}` });
  return o;
});

/** {from | afterExposedCalls, exposedErrorRateBps}: the new path's rate from then on. */
const regressionSchema = strict(
  {
    from: int(1, LIMITS.maxHeight, "a block height, an integer").optional(),
    afterExposedCalls: int(0, Number.MAX_SAFE_INTEGER, "a number of exposed calls, an integer").optional(),
    exposedErrorRateBps: bps,
  },
  "a regression",
).transform((r, ctx): TrafficRegression => {
  if ((r.from === undefined) === (r.afterExposedCalls === undefined)) {
    ctx.addIssue({
      code: "custom",
      message: `expected exactly one of from (a height) or afterExposedCalls (a number of the feature's exposed calls) saying when the regression begins, got ${r.from === undefined ? "neither" : "both"}`,
    });
    return z.NEVER;
  }
  const out: TrafficRegression = { exposedErrorRateBps: r.exposedErrorRateBps };
  if (r.from !== undefined) out.from = r.from;
  if (r.afterExposedCalls !== undefined) out.afterExposedCalls = r.afterExposedCalls;
  return out;
});

/** The whole scenario, whose blocks and traffic lie at or below `until`. */
function build(book: AccountBook) {
  const account = accountSchema(book);
  const block = blockSchema(book, account);
  const traffic = trafficSchema(account);

  return strict(
    {
      name: nonEmptyString,
      description: leaf("a string", (v) => (typeof v === "string" ? v : undefined)).optional(),
      seed: seedSchema,
      accounts: z.unknown().optional(),
      admin: account,
      until: int(1, LIMITS.maxHeight, "the last height, an integer"),
      gasLimit: int(1, Number.MAX_SAFE_INTEGER, "a gas limit, a positive integer").optional(),
      blocks: list(block, "blocks").optional(),
      traffic: list(traffic, "traffic entries").optional(),
    },
    "a scenario",
  ).superRefine((s, ctx) => {
    const blocks = s.blocks ?? [];
    blocks.forEach((b, i) => {
      const prev = blocks[i - 1];
      if (prev && b.height <= prev.height) {
        ctx.addIssue({ code: "custom", path: ["blocks", i, "height"], message: `expected a height above the previous block's ${prev.height} (heights strictly increase), got ${b.height}` });
      }
      if (b.height > s.until) {
        ctx.addIssue({ code: "custom", path: ["blocks", i, "height"], message: `expected a height ≤ until (${s.until}), got ${b.height}` });
      }
    });
    (s.traffic ?? []).forEach((t, i) => {
      if (t.to > s.until) ctx.addIssue({ code: "custom", path: ["traffic", i, "to"], message: `expected a height ≤ until (${s.until}), got ${t.to}` });
      (t.outages ?? []).forEach((o, j) => {
        if (o.from < t.from || o.to > t.to) {
          ctx.addIssue({ code: "custom", path: ["traffic", i, "outages", j], message: `expected an outage inside the entry's heights ${t.from}..${t.to}, got ${o.from}..${o.to}` });
        }
      });
      const r = t.regression;
      if (r?.from !== undefined && (r.from < t.from || r.from > t.to)) {
        ctx.addIssue({ code: "custom", path: ["traffic", i, "regression", "from"], message: `expected a height inside the entry's heights ${t.from}..${t.to}, got ${r.from}` });
      }
    });
  });
}

const accountsSchema = z.unknown().transform((v, ctx): Map<string, string> => {
  const book = new Map<string, string>();
  if (v === undefined) return book;
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    ctx.addIssue({ code: "custom", message: `expected a map of aliases to accounts (alias: "0x" + 40 hex digits), got ${describe(v)}` });
    return z.NEVER;
  }
  for (const [alias, hex] of Object.entries(v as Record<string, unknown>)) {
    if (!ALIAS.test(alias) || /^0x/i.test(alias)) {
      ctx.addIssue({ code: "custom", path: [alias], message: `expected an alias: a letter or _ then letters, digits, _ . - (at most 64), not starting with 0x` });
    } else if (typeof hex !== "string" || !HEX40.test(hex)) {
      ctx.addIssue({ code: "custom", path: [alias], message: `expected an account: "0x" + 40 hex digits, got ${describe(hex)}` });
    } else book.set(alias, hex.toLowerCase());
  }
  return book;
});

// ---------------------------------------------------------------- entry points

/** An issue's path (to the offending key, for unknown fields) and message, in the replay's words. */
function explain(iss: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  const path = [...iss.path];
  if (iss.code === "unrecognized_keys" && iss.keys.length > 0) path.push(iss.keys[0]!);
  if (iss.code === "invalid_union" && iss.errors.length > 0) {
    // Option fields are `null | inner`: report the inner alternative's complaint, where it is.
    const inner = iss.errors[iss.errors.length - 1]!;
    if (inner.length > 0) {
      const e = explain(inner[0]!);
      return { path: [...path, ...e.path], message: e.message };
    }
  }
  if (iss.code === "invalid_type" && !/^expected /.test(iss.message)) {
    return { path, message: `expected ${iss.expected}, got ${describe((iss as { input?: unknown }).input)}` };
  }
  return { path, message: iss.message };
}

/** Where a path points in the source text, when it can tell. */
export type Locate = (path: PropertyKey[]) => number | undefined;

/** Checks a parsed document (an object from JSON or YAML) and returns the normalized scenario. */
export function validateScenario(doc: unknown, file: string, locate?: Locate): Scenario {
  const fail = (issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): never => {
    throw new ScenarioError(
      file,
      issues.map((iss) => {
        const e = explain(iss);
        const path = [...prefix, ...e.path];
        const p: Problem = { path: formatPath(path), message: e.message };
        const line = locate?.(path);
        if (line !== undefined) p.line = line;
        return p;
      }),
    );
  };
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new ScenarioError(file, [{ path: "", message: `expected a scenario (an object with name, seed, accounts, admin, until, blocks, traffic), got ${describe(doc)}` }]);
  }
  const acc = accountsSchema.safeParse((doc as Record<string, unknown>).accounts, { reportInput: true });
  if (!acc.success) fail(acc.error.issues, ["accounts"]);
  const book = acc.data!;
  const r = build(book).safeParse(doc, { reportInput: true });
  if (!r.success) fail(r.error.issues);
  const s = r.data!;
  const labelOf = (v: unknown) => String(v);
  const raw = doc as Record<string, unknown>;
  const rawTraffic = (raw.traffic ?? []) as Record<string, unknown>[];
  const out: Scenario = {
    name: s.name,
    seed: s.seed,
    accounts: Object.fromEntries(book),
    admin: s.admin,
    adminLabel: labelOf(raw.admin),
    until: s.until,
    blocks: s.blocks ?? [],
    traffic: (s.traffic ?? []).map((t, i) => ({ ...t, reporterLabel: labelOf(rawTraffic[i]!.reporter) })),
  };
  if (s.description !== undefined) out.description = s.description;
  if (s.gasLimit !== undefined) out.gasLimit = s.gasLimit;
  return out;
}

/** JSON when the file says so (extension or a leading `{`), YAML otherwise. */
function isJson(file: string, text: string): boolean {
  if (/\.json$/i.test(file)) return true;
  if (/\.ya?ml$/i.test(file)) return false;
  return text.trimStart().startsWith("{");
}

/** Parses scenario text (JSON or YAML, same schema) and validates it. */
export function parseScenario(text: string, file: string): Scenario {
  // Both go through the YAML parser (JSON is YAML 1.2), which gives line numbers for paths;
  // JSON files are first checked with JSON.parse so a JSON syntax error reads as one.
  if (isJson(file, text)) {
    try {
      JSON.parse(text);
    } catch (e) {
      throw new ScenarioError(file, [{ path: "", message: `not valid JSON: ${(e as Error).message}` }]);
    }
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      file,
      doc.errors.map((e) => ({ path: "", message: `not valid ${isJson(file, text) ? "JSON" : "YAML"}: ${e.message.split("\n")[0]}`, line: lines.linePos(e.pos[0]).line })),
    );
  }
  const locate: Locate = (path) => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && node.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return validateScenario(doc.toJS({ maxAliasCount: 1000 }), file, locate);
}

/** Reads and validates a scenario file; `shownAs` names it in messages (default: `file`). */
export function loadScenario(file: string, shownAs = file): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError(shownAs, [{ path: "", message: code === "ENOENT" ? "no such file" : `cannot read the file: ${code ?? (e as Error).message}` }]);
  }
  return parseScenario(text, shownAs);
}
