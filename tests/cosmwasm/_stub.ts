// A stand-in for the CosmWasm module while branch cwa has not delivered it: the same surface
// as Sim (instantiate/execute/sudo/query/entries at a height), answering COSMWASM.md's JSON
// by decoding it (fromJson, the inverse of _diff.ts's toJson) and running the native module
// on a second Chain. It lets the harness and the tests run end to end before the module
// exists (a mapping bug in the harness shows up as a mismatch against itself); it proves
// nothing about the module. The tests use the real module when build/canary-cw.wasm exists.

import { readFileSync } from "node:fs";
import { ENUMS, EVENT_DEFS, METHOD_DEFS } from "../../src/abi/definition.ts";
import type { Field } from "../../src/abi/field.ts";
import type { MethodName } from "../../src/abi/methods.ts";
import { Chain } from "../../src/host/chain.ts";
import { CanaryClient, decodeEvent } from "../../src/client/index.ts";
import { NATIVE_WASM, QUERY_NAMES, snake, toJson, type CwSide } from "./_diff.ts";
import { canonicalOf, type Coin, type CwOutcome, type CwQuery } from "./_sim.ts";

const BY_MESSAGE = new Map<string, MethodName>();
for (const m of Object.keys(METHOD_DEFS) as MethodName[]) {
  if (m === "init" || m === "onPersist") continue;
  BY_MESSAGE.set(QUERY_NAMES[m] ?? snake(m), m);
}

class BadInput extends Error {}

function fromJson(field: Field, v: unknown, path: string): unknown {
  const bad = (): never => {
    throw new BadInput(`BadInput: ${path}`);
  };
  if (typeof field === "string") {
    switch (field) {
      case "u8":
      case "u16":
      case "u32":
        if (typeof v !== "number" || !Number.isInteger(v) || v < 0) bad();
        return v;
      case "u64":
      case "i64":
        if (typeof v !== "string" || !/^-?[0-9]+$/.test(v)) bad();
        return BigInt(v as string);
      case "bool":
        if (typeof v !== "boolean") bad();
        return v;
      case "string":
        if (typeof v !== "string") bad();
        return v;
      case "account": {
        if (typeof v !== "string") bad();
        let bytes: Uint8Array;
        try {
          bytes = canonicalOf(v as string);
        } catch {
          return bad();
        }
        return bytes.length === 20 ? "0x" + Buffer.from(bytes).toString("hex") : bytes;
      }
    }
  }
  if (typeof field === "string") return bad();
  if ("vec" in field) return Array.isArray(v) ? v.map((x, i) => fromJson(field.vec, x, `${path}[${i}]`)) : bad();
  if ("option" in field) return v === null || v === undefined ? null : fromJson(field.option, v, path);
  if ("enum" in field) {
    if (field.enum === "Analysis" && typeof v === "string" && /^analysis_[0-9]+$/.test(v)) return Number(v.slice(9));
    const i = ENUMS[field.enum].values.findIndex(([n]) => snake(n) === v);
    return i < 0 ? bad() : i;
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) return bad();
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const known = new Set(Object.keys(field.struct).map(snake));
  for (const k of Object.keys(o)) if (!known.has(k)) bad();
  for (const [k, sub] of Object.entries(field.struct)) {
    const x = o[snake(k)];
    if (x === undefined) {
      if (typeof sub === "object" && "option" in sub) continue;
      if (field.partialOnInput) continue;
      bad();
    }
    out[k] = fromJson(sub, x, `${path}.${snake(k)}`);
  }
  return out;
}

export class StubSim implements CwSide {
  height = 0;
  private readonly chain = new Chain(readFileSync(NATIVE_WASM));
  private readonly client = new CanaryClient(this.chain);
  private open = -1;

  private begin(): void {
    if (this.open !== this.height) {
      this.chain.beginBlock(this.height);
      this.open = this.height;
    }
  }

  async instantiate(sender: string, msg: unknown): Promise<CwOutcome> {
    this.begin();
    const m = msg as { admin?: string };
    const admin = "0x" + Buffer.from(canonicalOf(m.admin ?? sender)).toString("hex");
    const r = this.client.call("init", { admin }, { sender: admin, height: this.height });
    return r.ok ? { ok: true, attributes: [{ key: "action", value: "instantiate" }], events: [], data: null, gas: 0 } : { ok: false, error: `${r.codeName}: init`, gas: 0 };
  }

  private decode(msg: unknown): { method: MethodName; args: Record<string, unknown> } {
    if (msg === null || typeof msg !== "object" || Array.isArray(msg) || Object.keys(msg).length !== 1) throw new BadInput("BadInput: one key");
    const [[name, body]] = Object.entries(msg as Record<string, unknown>) as [[string, unknown]];
    const method = BY_MESSAGE.get(name);
    if (!method) throw new BadInput(`BadInput: unknown message ${name}`);
    const def = METHOD_DEFS[method];
    const args = fromJson(def.args, body, name) as Record<string, unknown>;
    if (method === "listFeatures") args.startAfter ??= "", args.limit ??= 30, args.activeOnly ??= false;
    if (method === "getHistory") args.fromSeq ??= 0, args.limit ??= 30;
    if (method === "createFeature") args.policy ??= null;
    return { method, args };
  }

  execute(sender: string, msg: unknown, funds: Coin[] = []): CwOutcome {
    this.begin();
    if (funds.length > 0) return { ok: false, error: "BadInput: non-payable", gas: 0 };
    let d;
    try {
      d = this.decode(msg);
    } catch (e) {
      return { ok: false, error: (e as Error).message, gas: 0 };
    }
    if (isViewName(d.method)) return { ok: false, error: "BadInput: a query", gas: 0 };
    let bytes = canonicalOf(sender);
    if (bytes.length !== 20 && d.method === "processRollout") bytes = new Uint8Array(20);
    if (bytes.length !== 20) return { ok: false, error: "Unauthorized: not a 20-byte account", gas: 0 };
    const r = this.client.call(d.method, d.args, { sender: "0x" + Buffer.from(bytes).toString("hex"), height: this.height });
    if (!r.ok) return { ok: false, error: `${r.codeName}: stub`, gas: 0 };
    return { ok: true, attributes: [{ key: "action", value: snake(d.method) }], events: r.rawEvents.map(eventJson), data: null, gas: 0 };
  }

  sudo(msg: unknown): CwOutcome {
    this.begin();
    const keys = msg && typeof msg === "object" && !Array.isArray(msg) ? Object.keys(msg) : [];
    const body = keys.length === 1 ? (msg as Record<string, unknown>)[keys[0]!] : undefined;
    const okBody = body !== null && typeof body === "object" && !Array.isArray(body) && Object.keys(body).length === 0;
    if (keys.length !== 1 || !okBody || !["clock_end_block", "cadence_end_block", "end_block"].includes(keys[0]!)) return { ok: false, error: "BadInput: sudo", gas: 0 };
    const br = this.chain.endBlock();
    this.open = -1;
    return { ok: true, attributes: [], events: br.onPersist.events.map(eventJson), data: null, gas: 0 };
  }

  query(msg: unknown): CwQuery {
    let d;
    try {
      d = this.decode(msg);
    } catch (e) {
      return { ok: false, error: (e as Error).message, gas: 0 };
    }
    if (!isViewName(d.method)) return { ok: false, error: "BadInput: not a query", gas: 0 };
    const r = this.client.call(d.method, d.args, { sender: "0x" + "00".repeat(20), height: this.height });
    if (!r.ok) return { ok: false, error: `${r.codeName}: stub`, gas: 0 };
    return { ok: true, value: toJson(METHOD_DEFS[d.method].result!, r.result), gas: 0 };
  }

  entries(): [Uint8Array, Uint8Array][] {
    const ov = (this.chain as unknown as { blockOverlay: { next(p: Uint8Array, a: Uint8Array): [Uint8Array, Uint8Array] | undefined } }).blockOverlay;
    const none = new Uint8Array(0);
    const out: [Uint8Array, Uint8Array][] = [];
    for (let r = ov.next(none, none); r !== undefined; r = ov.next(none, r[0])) out.push(r);
    return out;
  }
}

const isViewName = (m: MethodName) => QUERY_NAMES[m] !== undefined;

function eventJson(raw: Parameters<typeof decodeEvent>[0]): { type: string; attributes: { key: string; value: string }[] } {
  const d = decodeEvent(raw);
  const json = toJson(EVENT_DEFS[d.name as keyof typeof EVENT_DEFS].payload, d.data) as Record<string, unknown>;
  return { type: snake(d.name), attributes: Object.entries(json).filter(([, v]) => v !== null).map(([key, v]) => ({ key, value: String(v) })) };
}
