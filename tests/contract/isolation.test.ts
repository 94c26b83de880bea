// SPEC section 8 "Isolation": no state survives from one invocation to the next except through
// storage. (1) A reused instance (`reuse: true`, `_reset` between calls) and fresh instances
// (`reuse: false`) give identical codes, outputs, events and state roots on long seeded random
// call sequences. (2) After `_reset` the instance's memory and globals equal a fresh instance's
// after `_initialize`, byte for byte (the module is instantiated here directly, with a minimal
// import object of this file's own). (3) One sequence gives one root on a fresh host, on a
// reused module and in a separate child process.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Chain } from "../../src/host/index.ts";
import { encodeArgs, decodeTypedEvent } from "../../src/client/index.ts";
import { METHOD_NAMES, type MethodName } from "../../src/abi/methods.ts";
import { releaseWasm } from "../helpers/contract.ts";
import { RELEASE_WAT, ROOT } from "../helpers/paths.ts";
import { ACCOUNTS, Prng, randomSequence, runSequence, type BlockRecord } from "./_exposure_helpers.ts";
import { tsxArgs } from "../helpers/process.ts";

const CHILD = fileURLToPath(new URL("./_isolation_child.ts", import.meta.url));

function runBoth(seed: number, blocks: number): { reused: BlockRecord[]; fresh: BlockRecord[]; reusedChain: Chain; freshChain: Chain } {
  const seq = randomSequence(seed, blocks);
  const reusedChain = new Chain(releaseWasm(), undefined, { reuse: true });
  const freshChain = new Chain(releaseWasm(), undefined, { reuse: false });
  return { reused: runSequence(reusedChain, seq), fresh: runSequence(freshChain, seq), reusedChain, freshChain };
}

/** First differing call or root, for a readable failure. */
function firstDifference(a: BlockRecord[], b: BlockRecord[]): string | null {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y) return `block ${i}: missing`;
    for (let j = 0; j < Math.max(x.calls.length, y.calls.length); j++) {
      if (JSON.stringify(x.calls[j]) !== JSON.stringify(y.calls[j]))
        return `height ${x.height} call ${j}: reused ${JSON.stringify(x.calls[j])} vs fresh ${JSON.stringify(y.calls[j])}`;
    }
    if (JSON.stringify(x.onPersist) !== JSON.stringify(y.onPersist)) return `height ${x.height} onPersist differs`;
    if (x.stateRoot !== y.stateRoot) return `height ${x.height}: root ${x.stateRoot} vs ${y.stateRoot}`;
  }
  return null;
}

describe("reused instance ≡ fresh instances on long random call sequences", () => {
  const SEEDS = [1, 2, 3, 0xdead, 0xbeef, 20260101];
  const BLOCKS = 120;

  it.each(SEEDS)("seed %i: identical codes, outputs, events and roots after every block", (seed) => {
    const { reused, fresh, reusedChain, freshChain } = runBoth(seed, BLOCKS);
    expect(firstDifference(reused, fresh)).toBeNull();
    expect(reused).toEqual(fresh);

    const calls = reused.flatMap((b) => b.calls);
    const nCalls = calls.length + reused.length; // + one onPersist per block
    expect(calls.length).toBeGreaterThan(300);
    // The reused chain really reused its instance: a new one only after a trap (and the first).
    const traps = calls.filter((c) => c.trap && c.method !== "noSuchMethod").length + reused.filter((b) => b.onPersist.trap).length;
    expect(reusedChain.runtime.instances).toBeLessThanOrEqual(1 + traps);
    expect(reusedChain.runtime.instances).toBeLessThan(nCalls / 10);
    // The fresh chain instantiated for every call of an existing method.
    expect(freshChain.runtime.instances).toBe(nCalls - calls.filter((c) => c.method === "noSuchMethod").length);
  }, 60_000);

  it("the sequences exercise the contract: every method is called, most succeed somewhere, state evolves", () => {
    const okBy = new Map<string, number>();
    const calledBy = new Map<string, number>();
    const codes = new Set<number>();
    const statusesReached = new Set<number>();
    const roots = new Set<string>();
    let advanced = 0;
    for (const seed of SEEDS) {
      const { reused } = runBoth(seed, BLOCKS);
      for (const b of reused) {
        roots.add(b.stateRoot);
        for (const c of [...b.calls, b.onPersist]) {
          calledBy.set(c.method, (calledBy.get(c.method) ?? 0) + 1);
          codes.add(c.code);
          if (c.ok) okBy.set(c.method, (okBy.get(c.method) ?? 0) + 1);
          for (const e of c.events) {
            const [name, data] = e.split(":") as [string, string];
            const ev = decodeTypedEvent({ name, data: Uint8Array.from(Buffer.from(data, "hex")) });
            if (ev?.name === "StatusChanged") statusesReached.add(ev.data.to);
            if (ev?.name === "RolloutAdvanced") advanced++;
          }
        }
      }
    }
    for (const m of METHOD_NAMES) expect(calledBy.get(m) ?? 0, m).toBeGreaterThan(0);
    const succeeded = METHOD_NAMES.filter((m) => (okBy.get(m) ?? 0) > 0);
    console.log(
      `random sequences: ${[...calledBy.values()].reduce((a, b) => a + b, 0)} calls, ${succeeded.length}/${METHOD_NAMES.length} methods succeeded at least once, ` +
        `codes seen ${[...codes].sort((a, b) => a - b).join(",")}, statuses reached ${[...statusesReached].sort().join(",")}, ${advanced} step advances, ${roots.size} distinct roots`,
    );
    expect(succeeded.length).toBeGreaterThanOrEqual(METHOD_NAMES.length - 1);
    for (const code of [-1, 0, 1, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14]) expect(codes.has(code), `code ${code}`).toBe(true);
    expect([...statusesReached].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(advanced).toBeGreaterThan(20);
    expect(roots.size).toBeGreaterThan(50);
  }, 120_000);

  it("fast-check: random seeds and lengths, reused ≡ fresh", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7fffffff }), fc.integer({ min: 1, max: 40 }), (seed, blocks) => {
        const { reused, fresh } = runBoth(seed, blocks);
        expect(firstDifference(reused, fresh)).toBeNull();
      }),
      { numRuns: 25, seed: 0x150 },
    );
  }, 120_000);
});

// ------------------------------------------------------------------ direct instantiation

/** Unsigned LEB128 reader/writer for the few module sections touched below. */
function readU32(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const x = b[at++]!;
    v |= (x & 0x7f) << shift;
    if ((x & 0x80) === 0) return [v >>> 0, at];
    shift += 7;
  }
}
function writeU32(v: number): number[] {
  const out: number[] = [];
  do {
    let x = v & 0x7f;
    v >>>= 7;
    if (v !== 0) x |= 0x80;
    out.push(x);
  } while (v !== 0);
  return out;
}

/**
 * The module with every global exported as `__global_<i>` (an export section edit only: the
 * code is untouched), so a test can read the globals the JS API otherwise hides.
 */
function withGlobalsExported(wasm: Uint8Array): { bytes: Uint8Array; globals: number } {
  const sections: { id: number; body: Uint8Array }[] = [];
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at++]!;
    const [size, start] = readU32(wasm, at);
    sections.push({ id, body: wasm.subarray(start, start + size) });
    at = start + size;
  }
  let imported = 0;
  let defined = 0;
  for (const s of sections) {
    if (s.id === 2) {
      let [n, p] = readU32(s.body, 0);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < 2; k++) {
          const [len, q] = readU32(s.body, p);
          p = q + len;
        }
        const kind = s.body[p++]!;
        if (kind === 0) [, p] = readU32(s.body, p);
        else if (kind === 3) {
          imported++;
          p += 2; // valtype, mutability
        } else throw new Error(`import kind ${kind} not expected`);
      }
    }
    if (s.id === 6) defined = readU32(s.body, 0)[0];
  }
  const total = imported + defined;
  const out: number[] = Array.from(wasm.subarray(0, 8));
  for (const s of sections) {
    let body = Array.from(s.body);
    if (s.id === 7) {
      const [n, p] = readU32(s.body, 0);
      const extra: number[] = [];
      for (let g = 0; g < total; g++) {
        const name = Array.from(Buffer.from(`__global_${g}`));
        extra.push(...writeU32(name.length), ...name, 3, ...writeU32(g));
      }
      body = [...writeU32(n + total), ...Array.from(s.body.subarray(p)), ...extra];
    }
    out.push(s.id, ...writeU32(body.length), ...body);
  }
  return { bytes: Uint8Array.from(out), globals: total };
}

/** A minimal host of this test's own: a sorted in-memory store and the section 7 imports. */
class MiniHost {
  store = new Map<string, Uint8Array>();
  memory: WebAssembly.Memory | null = null;
  args: Uint8Array = new Uint8Array(0);
  output: Uint8Array = new Uint8Array(0);
  events: string[] = [];
  height = 1;
  sender: Uint8Array = ACCOUNTS.admin;

  private mem(): Uint8Array {
    return new Uint8Array(this.memory!.buffer);
  }
  private key(ptr: number, len: number): string {
    return Buffer.from(this.mem().subarray(ptr, ptr + len)).toString("hex");
  }
  imports(): WebAssembly.Imports {
    const self = this;
    return {
      host: {
        input_len: () => self.args.length,
        input_read: (dst: number) => self.mem().set(self.args, dst),
        output_write: (src: number, len: number) => {
          self.output = self.mem().slice(src, src + len);
        },
        storage_read: (k: number, kl: number, dst: number, cap: number) => {
          const v = self.store.get(self.key(k, kl));
          if (v === undefined) return -1;
          self.mem().set(v.subarray(0, Math.min(cap, v.length)), dst);
          return v.length;
        },
        storage_write: (k: number, kl: number, v: number, vl: number) => {
          self.store.set(self.key(k, kl), self.mem().slice(v, v + vl));
        },
        storage_delete: (k: number, kl: number) => {
          self.store.delete(self.key(k, kl));
        },
        storage_next: (p: number, pl: number, a: number, al: number, dst: number, cap: number) => {
          const prefix = self.key(p, pl);
          const after = self.key(a, al);
          // Hex strings of equal-width bytes compare like the bytes (shorter prefix first).
          let best: string | undefined;
          for (const k of self.store.keys()) if (k.startsWith(prefix) && k > after && (best === undefined || k < best)) best = k;
          if (best === undefined) return -1;
          const bytes = Buffer.from(best, "hex");
          self.mem().set(bytes.subarray(0, Math.min(cap, bytes.length)), dst);
          return bytes.length;
        },
        block_height: () => self.height,
        caller: (dst: number) => self.mem().set(self.sender, dst),
        check_witness: (acc: number) => (Buffer.compare(Buffer.from(self.mem().subarray(acc, acc + 20)), Buffer.from(self.sender)) === 0 ? 1 : 0),
        emit: (n: number, nl: number, d: number, dl: number) => {
          self.events.push(`${Buffer.from(self.mem().subarray(n, n + nl)).toString("latin1")}:${self.key(d, dl)}`);
        },
        log: () => {},
      },
    };
  }
}

interface Inst {
  host: MiniHost;
  exports: Record<string, unknown>;
  memory: WebAssembly.Memory;
}

const patched = withGlobalsExported(releaseWasm());

/** Names of the globals in index order, from the build's text form when present (labels only). */
const GLOBAL_NAMES: string[] = (() => {
  try {
    const wat = readFileSync(RELEASE_WAT, "utf8");
    return [...wat.matchAll(/^\s*\(global \$(\S+)/gm)].map((m) => m[1]!);
  } catch {
    return [];
  }
})();
const patchedModule = new WebAssembly.Module(patched.bytes as Uint8Array<ArrayBuffer>);

function instantiate(host = new MiniHost()): Inst {
  const inst = new WebAssembly.Instance(patchedModule, host.imports());
  const exports = inst.exports as Record<string, unknown>;
  const memory = exports.memory as WebAssembly.Memory;
  host.memory = memory;
  (exports._initialize as () => void)();
  return { host, exports, memory };
}

function globalsOf(i: Inst): (number | bigint)[] {
  return Array.from({ length: patched.globals }, (_, g) => (i.exports[`__global_${g}`] as WebAssembly.Global).value as number | bigint);
}

function call(i: Inst, method: MethodName, args: unknown, sender: Uint8Array, height: number, raw?: Uint8Array): { code: number; output: string; events: string[] } {
  i.host.args = raw ?? encodeArgs(method, args as never);
  i.host.output = new Uint8Array(0);
  i.host.events = [];
  i.host.sender = sender;
  i.host.height = height;
  const code = (i.exports[method] as () => number)();
  return { code, output: Buffer.from(i.host.output).toString("hex"), events: i.host.events };
}

/** Byte-for-byte: `got` equals `want` over want's length and is zero beyond it. */
function memoryDiff(got: Uint8Array, want: Uint8Array): string | null {
  if (got.length < want.length) return `memory shrank: ${got.length} < ${want.length}`;
  for (let k = 0; k < want.length; k++) if (got[k] !== want[k]) return `byte ${k}: ${got[k]} vs ${want[k]}`;
  for (let k = want.length; k < got.length; k++) if (got[k] !== 0) return `byte ${k} beyond the fresh length is ${got[k]}`;
  return null;
}

/** Both memories equal with the shorter one zero-extended. */
function sameMemory(a: Uint8Array, b: Uint8Array): string | null {
  return a.length >= b.length ? memoryDiff(a, b) : memoryDiff(b, a);
}

/** A script touching every part of the contract: roles, policies, 128-bit health math, big views, errors. */
function script(): { method: MethodName; args: unknown; sender: Uint8Array; height: number; raw?: Uint8Array }[] {
  const { admin, operator, guardian, reporter, outsider } = ACCOUNTS;
  const rng = new Prng(99);
  const many = Array.from({ length: 1024 }, () => rng.bytes(20));
  const s: { method: MethodName; args: unknown; sender: Uint8Array; height: number; raw?: Uint8Array }[] = [
    { method: "onPersist", args: {}, sender: new Uint8Array(20), height: 1 },
    { method: "init", args: { admin }, sender: admin, height: 1 },
    { method: "grantRole", args: { role: 1, account: operator }, sender: admin, height: 1 },
    { method: "grantRole", args: { role: 2, account: guardian }, sender: admin, height: 1 },
    { method: "grantRole", args: { role: 3, account: reporter }, sender: admin, height: 1 },
    { method: "createFeature", args: { name: "seq", description: "sequential €", policy: { steps: [], incrementBps: 1000, incrementBlocks: 1, maxErrorRateBps: 100, minSamples: 10, minSuccessCount: 0n, analysis: 1, seqSlopePpm: 14435, seqInterceptPpm: 4110000n, maxInvariantFailures: 2, maxAvgLatency: 1000n, maxPeakLatency: 0n, progressDeadlineBlocks: 0, salt: "s" } }, sender: operator, height: 1 },
    { method: "createFeature", args: { name: "lin", description: "", policy: null }, sender: operator, height: 1 },
    { method: "createFeature", args: { name: "lin", description: "", policy: null }, sender: operator, height: 1 }, // FeatureAlreadyExists
    { method: "createFeature", args: { name: "x", description: "é".repeat(200), policy: null }, sender: operator, height: 1 }, // LimitExceeded
    { method: "startCanary", args: { name: "seq", bps: 500 }, sender: operator, height: 1 },
    { method: "recordBatch", args: { name: "seq", successes: 2n ** 64n - 1n, errors: 3n }, sender: reporter, height: 1 },
    { method: "recordLatency", args: { name: "seq", value: 2n ** 64n - 2n }, sender: reporter, height: 1 },
    { method: "recordInvariant", args: { name: "seq", ok: false }, sender: reporter, height: 1 },
    { method: "startRollout", args: { name: "seq", targetBps: 9000 }, sender: operator, height: 1 },
    { method: "setOverride", args: { name: "seq", account: many[3], mode: 1 }, sender: operator, height: 1 },
    { method: "isEnabledMany", args: { name: "seq", accounts: many }, sender: outsider, height: 1 },
    { method: "isEnabledMany", args: { name: "seq", accounts: [...many, many[0]] }, sender: outsider, height: 1 }, // LimitExceeded
    { method: "onPersist", args: {}, sender: new Uint8Array(20), height: 2 },
    { method: "processRollout", args: { name: "seq" }, sender: outsider, height: 3 },
    { method: "recordError", args: { name: "seq" }, sender: outsider, height: 3 }, // Unauthorized
    { method: "recordBatch", args: { name: "seq", successes: 100n, errors: 50n }, sender: reporter, height: 3 }, // rolls back
    { method: "getHistory", args: { name: "seq", fromSeq: 0, limit: 100 }, sender: outsider, height: 3 },
    { method: "getFeature", args: { name: "seq" }, sender: outsider, height: 3 },
    { method: "getMetrics", args: { name: "seq" }, sender: outsider, height: 3 },
    { method: "listFeatures", args: { startAfter: "", limit: 100, activeOnly: false }, sender: outsider, height: 3 },
    { method: "setGlobal", args: { paused: true, halted: true }, sender: guardian, height: 3 },
    { method: "getGlobal", args: {}, sender: outsider, height: 3 },
    { method: "bucketOf", args: { name: "lin", account: many[5] }, sender: outsider, height: 3 },
    { method: "updatePolicy", args: { name: "lin", policy: { steps: [1, 2, 3], incrementBps: 1, incrementBlocks: 1, maxErrorRateBps: 1, minSamples: 1, minSuccessCount: 1n, analysis: 0, seqSlopePpm: 0, seqInterceptPpm: 0n, maxInvariantFailures: 0, maxAvgLatency: 0n, maxPeakLatency: 0n, progressDeadlineBlocks: 0, salt: "" } }, sender: operator, height: 3 },
    { method: "revokeRole", args: { role: 0, account: admin }, sender: admin, height: 3 }, // LastAdmin
    { method: "reportIncident", args: { name: "lin", reason: 3 }, sender: guardian, height: 3 }, // FeatureDisabled
  ];
  // Garbage arguments for a few methods (BadInput).
  for (const m of ["createFeature", "isEnabledMany", "listFeatures"] as MethodName[]) s.push({ method: m, args: null, sender: operator, height: 4, raw: rng.bytes(37) });
  return s;
}

describe("_reset returns the instance to its state right after _initialize", () => {
  it("the patched module exports every global and runs like the release module", () => {
    expect(patched.globals).toBeGreaterThanOrEqual(2); // at least the stub runtime's heap pointers
    const i = instantiate();
    expect(call(i, "init", { admin: ACCOUNTS.admin }, ACCOUNTS.admin, 1).code).toBe(0);
  });

  /**
   * Runs the script on one reused instance (with `_reset` after every call) and, call by call,
   * on a fresh instance over an identical copy of the store; `check` sees both after each call
   * and the reused one after its reset.
   */
  function replayScript(check: (what: string, reused: Inst, fresh: Inst, phase: "call" | "reset") => void): { grew: boolean; reused: Inst } {
    const reused = instantiate();
    const start = new Uint8Array(reused.memory.buffer).length;
    let grew = false;
    for (const [n, step] of script().entries()) {
      const fresh = instantiate();
      fresh.host.store = new Map(reused.host.store);
      const a = call(reused, step.method, step.args, step.sender, step.height, step.raw);
      const b = call(fresh, step.method, step.args, step.sender, step.height, step.raw);
      const what = `call ${n} ${step.method}`;
      expect(a, what).toEqual(b);
      expect([...reused.host.store.entries()], what).toEqual([...fresh.host.store.entries()]);
      check(what, reused, fresh, "call");
      (reused.exports._reset as () => void)();
      if (new Uint8Array(reused.memory.buffer).length > start) grew = true;
      check(what, reused, fresh, "reset");
    }
    return { grew, reused };
  }

  it("after every call of a varied script, _reset leaves memory byte for byte equal to a fresh instance's after _initialize (rest zero)", () => {
    const pristineMem = new Uint8Array(instantiate().memory.buffer).slice();
    const { grew, reused } = replayScript((what, r, f, phase) => {
      if (phase === "call") {
        // During the call the reused instance computed in exactly the memory a fresh one did.
        expect(sameMemory(new Uint8Array(r.memory.buffer), new Uint8Array(f.memory.buffer)), `${what}: memory after the call`).toBeNull();
      } else {
        expect(memoryDiff(new Uint8Array(r.memory.buffer), pristineMem), `${what}: memory after _reset`).toBeNull();
      }
    });
    expect(grew).toBe(true); // the 1024-account call grew memory past its initial pages; the growth is zeroed
    expect(reused.host.store.size).toBeGreaterThan(10); // the script really exercised the contract
  });

  it("after every call of a varied script, _reset leaves every global as a fresh instance's after _initialize", () => {
    const pristineGlobals = globalsOf(instantiate());
    const mismatches = new Map<string, string>();
    replayScript((what, r, f, phase) => {
      const got = globalsOf(r);
      const want = phase === "call" ? globalsOf(f) : pristineGlobals;
      got.forEach((v, g) => {
        if (v !== want[g]) {
          const key = `${GLOBAL_NAMES[g] ?? `global ${g}`} after ${phase === "call" ? "the call" : "_reset"}`;
          if (!mismatches.has(key)) mismatches.set(key, `${what}: ${String(v)}, fresh ${String(want[g])}`);
        }
      });
    });
    expect(Object.fromEntries(mismatches)).toEqual({});
  });

  it("without _reset the heap only grows (the reset is what makes reuse safe)", () => {
    const i = instantiate();
    // The stub runtime's bump pointer (by name from the build's text form, else the largest i32 global).
    const at = GLOBAL_NAMES.indexOf("~lib/rt/stub/offset");
    const heapTop = (): number => (at >= 0 ? (globalsOf(i)[at] as number) : Math.max(...globalsOf(i).filter((g): g is number => typeof g === "number")));
    call(i, "init", { admin: ACCOUNTS.admin }, ACCOUNTS.admin, 1);
    const t1 = heapTop();
    call(i, "getGlobal", {}, ACCOUNTS.outsider, 1);
    const t2 = heapTop();
    expect(t2).toBeGreaterThan(t1);
    (i.exports._reset as () => void)();
    expect(heapTop()).toBeLessThan(t1);
  });

  it("5,000 reused calls neither run out of memory nor drift from a fresh instance", () => {
    const reused = instantiate();
    call(reused, "init", { admin: ACCOUNTS.admin }, ACCOUNTS.admin, 1);
    (reused.exports._reset as () => void)();
    call(reused, "grantRole", { role: 1, account: ACCOUNTS.operator }, ACCOUNTS.admin, 1);
    (reused.exports._reset as () => void)();
    call(reused, "createFeature", { name: "f", description: "", policy: null }, ACCOUNTS.operator, 1);
    (reused.exports._reset as () => void)();
    call(reused, "startCanary", { name: "f", bps: 5000 }, ACCOUNTS.operator, 1);
    (reused.exports._reset as () => void)();
    const rng = new Prng(5);
    const accounts = Array.from({ length: 256 }, () => rng.bytes(20));
    const raw = encodeArgs("isEnabledMany", { name: "f", accounts });
    let first = "";
    for (let k = 0; k < 5000; k++) {
      const r = call(reused, "isEnabledMany", null, ACCOUNTS.outsider, 2, raw);
      expect(r.code).toBe(0);
      if (k === 0) first = r.output;
      else if (r.output !== first) throw new Error(`call ${k} answered differently`);
      (reused.exports._reset as () => void)();
    }
    const fresh = instantiate();
    fresh.host.store = new Map(reused.host.store);
    expect(call(fresh, "isEnabledMany", null, ACCOUNTS.outsider, 2, raw).output).toBe(first);
  }, 60_000);
});

describe("one sequence, one state root: fresh host, reused module, child process", () => {
  const SEED = 424242;
  const BLOCKS = 150;

  it("the roots after every block agree across a fresh host, a reused module and a separate process", () => {
    const seq = randomSequence(SEED, BLOCKS);
    const fresh = runSequence(new Chain(releaseWasm(), undefined, { reuse: false }), seq);
    const reused = runSequence(new Chain(releaseWasm(), undefined, { reuse: true }), seq);
    const digest = (r: BlockRecord[]): string => createHash("sha256").update(JSON.stringify(r)).digest("hex");

    const child = spawnSync(process.execPath, tsxArgs(CHILD, [String(SEED), String(BLOCKS), "reuse"]), {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(child.status, child.stderr).toBe(0);
    const out = JSON.parse(child.stdout.trim()) as { root: string; roots: string[]; digest: string };

    const roots = fresh.map((b) => b.stateRoot);
    expect(new Set(roots).size).toBeGreaterThan(20); // the state really changed along the way
    expect(reused.map((b) => b.stateRoot)).toEqual(roots);
    expect(out.roots).toEqual(roots);
    expect(out.root).toBe(roots.at(-1));
    expect(out.digest).toBe(digest(fresh));
    expect(digest(reused)).toBe(digest(fresh));
    console.log(`seed ${SEED}, ${BLOCKS} blocks, ${fresh.reduce((n, b) => n + b.calls.length, 0)} calls: root ${out.root}`);
  }, 90_000);
});
