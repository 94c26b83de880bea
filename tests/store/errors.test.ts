// Open errors: each is a ChainStoreError with a code and a message naming the directory, and
// nothing in the directory is overwritten.

import { ClassicLevel } from "classic-level";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ChainStoreError, LevelStore, type ChainStoreErrorCode } from "../../src/store/index.ts";
import { snapshot, spawnChild, tempDir, waitFor } from "./_helpers.ts";

const u = (...b: number[]): Uint8Array => Uint8Array.from(b);

async function openError(dir: string, create = true): Promise<ChainStoreError> {
  const e = await LevelStore.open(dir, { create }).then(
    async (s) => {
      await s.close();
      return new Error("opened");
    },
    (e: unknown) => e,
  );
  if (!(e instanceof ChainStoreError)) throw new Error(`expected a ChainStoreError, got ${String(e)}`);
  return e;
}

async function expectCode(dir: string, code: ChainStoreErrorCode, message: RegExp, create = true): Promise<void> {
  const e = await openError(dir, create);
  expect(e.code).toBe(code);
  expect(e.message).toMatch(message);
  expect(e.dir).toBe(dir);
}

/** A chain store with three committed blocks. */
async function makeStore(dir: string): Promise<void> {
  const s = await LevelStore.open(dir, { create: true });
  for (let h = 0; h < 3; h++) {
    s.put(u(h), u(h, h));
    await s.commitBlock({ height: h });
  }
  await s.close();
}

/** Every key and value of a LevelDB database, read with classic-level directly. */
async function dump(dir: string): Promise<string[]> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view", createIfMissing: false });
  await db.open();
  const out: string[] = [];
  for await (const [k, v] of db.iterator()) out.push(`${Buffer.from(k).toString("hex")}=${Buffer.from(v).toString("hex")}`);
  await db.close();
  return out;
}

describe("a database in use", () => {
  it("a second process gets IN_USE ('database DIR is in use by another process'); the holder's store is intact", async () => {
    const dir = path.join(tempDir(), "db");
    await makeStore(dir);
    const holder = spawnChild("_hold_child.ts", [dir]);
    try {
      await waitFor(holder.lines, (l) => l.includes("open 2"), 30_000, "the holder to open the store", holder.stderr);
      await expectCode(dir, "IN_USE", new RegExp(`^database ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is in use by another process`));
      await expectCode(dir, "IN_USE", /in use by another process/, false);
    } finally {
      holder.child.kill("SIGKILL");
      await holder.exited;
    }
    const s = await LevelStore.open(dir);
    expect(s.height).toBe(2);
    expect(s.size).toBe(3);
    await s.close();
  }, 60_000);

  it("a second open in the same process is IN_USE too", async () => {
    const dir = path.join(tempDir(), "db");
    const s = await LevelStore.open(dir, { create: true });
    try {
      await expectCode(dir, "IN_USE", /is in use by another process/);
    } finally {
      await s.close();
    }
  });
});

describe("a corrupt directory", () => {
  it("a garbled CURRENT file: CORRUPT, every byte left as it was", async () => {
    const dir = path.join(tempDir(), "db");
    await makeStore(dir);
    writeFileSync(path.join(dir, "CURRENT"), "MANIFEST-999999\n");
    const before = snapshot(dir);
    await expectCode(dir, "CORRUPT", /is corrupt and was left as it is/);
    const after = snapshot(dir);
    // LevelDB may create its LOCK/LOG files; no file that was there changes.
    for (const [f, h] of Object.entries(before)) if (!/^(LOCK|LOG(\.old)?)$/.test(f)) expect(after[f], f).toBe(h);
  });

  it("LevelDB files without CURRENT: CORRUPT, and LevelDB never touches the directory", async () => {
    const dir = path.join(tempDir(), "db");
    await makeStore(dir);
    rmSync(path.join(dir, "CURRENT"));
    const before = snapshot(dir);
    await expectCode(dir, "CORRUPT", /LevelDB files without a CURRENT file/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("state that does not hash to the recorded head root: CORRUPT, the data left as it was", async () => {
    const dir = path.join(tempDir(), "db");
    await makeStore(dir);
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
    await db.put(Uint8Array.from([0x73, 1]), u(0xde, 0xad)); // "s" ‖ 01: a state value changed behind the store's back
    await db.close();
    const before = await dump(dir);
    await expectCode(dir, "CORRUPT", /its state hashes to [0-9a-f]{64}, but block 2 recorded [0-9a-f]{64}/);
    expect(await dump(dir)).toEqual(before);
  });

  it("a damaged table file: CORRUPT", async () => {
    const dir = path.join(tempDir(), "db");
    // Enough data that LevelDB writes table files, then compacts them on reopen.
    const s = await LevelStore.open(dir, { create: true });
    for (let h = 0; h < 40; h++) {
      for (let i = 0; i < 200; i++) s.put(u(h, i), new Uint8Array(200).fill(i));
      await s.commitBlock({ height: h });
    }
    await s.close();
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
    await db.open();
    await db.compactRange(u(0), u(0xff));
    await db.close();
    const tables = readdirSync(dir).filter((f) => f.endsWith(".ldb"));
    expect(tables.length).toBeGreaterThan(0);
    for (const t of tables) {
      const p = path.join(dir, t);
      const junk = Buffer.alloc(4096, 0x5a);
      const fd = await import("node:fs/promises").then((m) => m.open(p, "r+"));
      await fd.write(junk, 0, junk.length, 100);
      await fd.close();
    }
    const before = snapshot(dir);
    await expectCode(dir, "CORRUPT", /is corrupt and was left as it is/);
    const after = snapshot(dir);
    for (const t of tables) expect(after[t]).toBe(before[t]);
  });
});

describe("a directory that is not a chain store", () => {
  it("a non-empty ordinary directory: NOT_A_STORE, and LevelDB never touches it (not even a LOG file)", async () => {
    const dir = tempDir("notastore");
    writeFileSync(path.join(dir, "notes.txt"), "my notes");
    writeFileSync(path.join(dir, "LOG"), "my own LOG file");
    mkdirSync(path.join(dir, "sub"));
    writeFileSync(path.join(dir, "sub", "x"), "x");
    const before = snapshot(dir);
    await expectCode(dir, "NOT_A_STORE", /is not a chain store \(a non-empty directory that is not a LevelDB database\); nothing was changed/);
    await expectCode(dir, "NOT_A_STORE", /is not a chain store/, false);
    expect(snapshot(dir)).toEqual(before);
  });

  it("a file: NOT_A_STORE", async () => {
    const file = path.join(tempDir(), "file.db");
    writeFileSync(file, "hello");
    await expectCode(file, "NOT_A_STORE", /is a file, not a chain store directory/);
  });

  it("a LevelDB database without the chain store marker: NOT_A_STORE, its keys left as they were", async () => {
    const dir = path.join(tempDir(), "foreign");
    const db = new ClassicLevel(dir);
    await db.put("hello", "world");
    await db.put("s\u0001", "looks like state");
    await db.close();
    const before = await dump(dir);
    await expectCode(dir, "NOT_A_STORE", /is a LevelDB database but not a chain store \(no onchain-canary\/chain-store marker\); nothing was changed/);
    expect(await dump(dir)).toEqual(before);
  });

  it("a LevelDB database with another marker, or a newer version: NOT_A_STORE / VERSION", async () => {
    const dir = path.join(tempDir(), "db");
    await makeStore(dir);
    const db = new ClassicLevel(dir);
    await db.put("!format", JSON.stringify({ format: "onchain-canary/chain-store", version: 2 }));
    await db.close();
    await expectCode(dir, "VERSION", /format version 2; this canary reads version 1/);
    const db2 = new ClassicLevel(dir);
    await db2.put("!format", "something else");
    await db2.close();
    await expectCode(dir, "NOT_A_STORE", /unknown marker/);
  });

  it("a missing or empty directory without create: NOT_FOUND (nothing created); with create: a new store", async () => {
    const base = tempDir();
    const missing = path.join(base, "missing");
    await expectCode(missing, "NOT_FOUND", /no chain store at .*missing \(no such directory\)/, false);
    expect(readdirSync(base)).toEqual([]);
    mkdirSync(missing);
    await expectCode(missing, "NOT_FOUND", /\(an empty directory\)/, false);
    expect(readdirSync(missing)).toEqual([]);
    const s = await LevelStore.open(missing, { create: true });
    expect(s.height).toBe(-1);
    expect(s.stateRoot).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    await s.close();
    const again = await LevelStore.open(missing);
    expect(again.height).toBe(-1);
    await again.close();
  });

  it("an empty LevelDB (a creation cut short before its first batch) is adopted only with create", async () => {
    const dir = path.join(tempDir(), "empty");
    const db = new ClassicLevel(dir);
    await db.open();
    await db.close();
    await expectCode(dir, "NOT_A_STORE", /no onchain-canary\/chain-store marker/, false);
    const s = await LevelStore.open(dir, { create: true });
    expect(s.height).toBe(-1);
    await s.close();
  });

  it("a closed store refuses use", async () => {
    const s = await LevelStore.open(path.join(tempDir(), "db"), { create: true });
    await s.close();
    expect(() => s.put(u(1), u(1))).toThrow(/is closed/);
    await expect(s.commitBlock({ height: 0 })).rejects.toThrow(/is closed/);
  });
});
