// Test setup of the CosmWasm module tests (module*.test.ts): cw-simulate with the module
// built by `npm run build:cosmwasm`, patched by the same setup as the differential tests
// (`applySimPatches` in _sim.ts: P1–P4 of docs/COSMWASM.md, section 5).

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CWSimulateApp } from "@oraichain/cw-simulate";
import { applySimPatches } from "./_sim.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const WASM_PATH = path.join(root, "build/canary-cw.wasm");

export function patchVm(): void {
  applySimPatches();
}

export const PREFIX = "wasm";

export interface Sim {
  app: CWSimulateApp;
  addr: string;
  codeId: number;
}

export function wasmBytes(): Uint8Array {
  return new Uint8Array(readFileSync(WASM_PATH));
}

export async function deploy(admin: string, msg: Record<string, unknown> = {}, metering = false): Promise<Sim> {
  patchVm();
  const app = new CWSimulateApp({ chainId: "test-1", bech32Prefix: PREFIX, metering, gasLimit: 100_000_000 } as never);
  const codeId = app.wasm.create(admin, wasmBytes());
  const res = await app.wasm.instantiateContract(admin, [], codeId, msg, "canary");
  if (res.err) throw new Error(String(res.val));
  const addr = (res.val as { events: { attributes: { key: string; value: string }[] }[] }).events[0]!.attributes.find((a) => a.key === "_contract_address")!.value;
  return { app, addr, codeId };
}

// ---------------------------------------------------------------- helpers for the module tests

import { toBech32 } from "@cosmjs/encoding";

/** A human address of `len` bytes all `fill`. */
export function addr(fill: number, len = 20): string {
  return toBech32(PREFIX, new Uint8Array(len).fill(fill));
}

export interface Attr { key: string; value: string }
export interface Ev { type: string; attributes: Attr[] }
export interface Outcome { ok: boolean; error?: string; events: Ev[]; gas: number }

/** The contract's own events (`wasm`, `wasm-*`), without cw-simulate's `_contract_address`. */
export function contractEvents(events: Ev[]): Ev[] {
  return events
    .filter((e) => e.type === "wasm" || e.type.startsWith("wasm-"))
    .map((e) => ({ type: e.type, attributes: e.attributes.filter((a) => a.key !== "_contract_address") }));
}

export async function exec(sim: Sim, sender: string, msg: unknown, funds: { denom: string; amount: string }[] = []): Promise<Outcome> {
  const before = sim.app.gasUsed;
  const r = await sim.app.wasm.executeContract(sender, funds, sim.addr, msg);
  const gas = sim.app.gasUsed - before;
  if (r.err) return { ok: false, error: String(r.val), events: [], gas };
  return { ok: true, events: contractEvents((r.val as { events: Ev[] }).events), gas };
}

export function query<T = unknown>(sim: Sim, msg: unknown): { ok: boolean; value?: T; error?: string; gas: number } {
  const before = sim.app.gasUsed;
  const r = sim.app.wasm.query(sim.addr, msg);
  const gas = sim.app.gasUsed - before;
  return r.err ? { ok: false, error: String(r.val), gas } : { ok: true, value: r.val as T, gas };
}

export interface SudoOutcome { ok: boolean; error?: string; attributes: Attr[]; events: Ev[]; gas: number }

export function sudo(sim: Sim, msg: unknown): SudoOutcome {
  const c = sim.app.wasm.getContract(sim.addr);
  const before = sim.app.gasUsed;
  const r = c.sudo(msg as never, []);
  const gas = sim.app.gasUsed - before;
  if (r.err) return { ok: false, error: String(r.val), attributes: [], events: [], gas };
  const v = r.val as { attributes: Attr[]; events: Ev[] };
  return { ok: true, attributes: v.attributes, events: v.events, gas };
}

export function setHeight(sim: Sim, h: number): void {
  (sim.app as unknown as { height: number }).height = h;
}

/** The contract's storage as hex key → hex value (for "nothing changed" checks). */
export function storageSnapshot(sim: Sim): Map<string, string> {
  const c = sim.app.wasm.getContract(sim.addr) as unknown as { getStorage(): { entries(): Iterable<[Uint8Array, Uint8Array]> } };
  const out = new Map<string, string>();
  for (const [k, v] of c.getStorage().entries()) out.set(Buffer.from(k).toString("hex"), Buffer.from(v).toString("hex"));
  return out;
}

export function setStorageValue(sim: Sim, key: Uint8Array, value: Uint8Array): void {
  const c = sim.app.wasm.getContract(sim.addr) as unknown as {
    getStorage(): { set(k: Uint8Array, v: Uint8Array): unknown };
    setStorage(m: unknown): void;
  };
  c.setStorage(c.getStorage().set(key, value));
  // The contract's VM keeps its own storage object across calls (and writes it back after each): set it there too.
  const vm = (c as unknown as { _vm?: { backend: { storage: { set(k: Uint8Array, v: Uint8Array): void } } } })._vm;
  vm?.backend.storage.set(key, value);
}

/** cw-simulate's gas units → its "chain gas" (cosmwasm-vm-js GAS_MULTIPLIER): approximate. */
export const GAS_MULTIPLIER = 14_000_000;
export const chainGas = (vmGas: number) => Math.ceil(vmGas / GAS_MULTIPLIER);
