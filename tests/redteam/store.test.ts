// Issue #17, items 1–4: the store never loses or silently rewrites history. Every test is
// named after the defect it pins; every refusal leaves the directory byte for byte as it was.
import { ClassicLevel } from "classic-level";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ChainStoreError, LevelStore } from "../../src/store/index.ts";
import { startNode } from "../../src/node/index.ts";
import { cli } from "../cli/helpers.ts";
import { copyDir, filesOf, flipByte, grow, snapshot, startAndClose, tempDir } from "./_helpers.ts";

const u = (...b: number[]): Uint8Array => Uint8Array.from(b);

async function refusal(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => new Error("it opened"),
    (e: unknown) => e as Error,
  );
  if (e.message === "it opened") throw e;
  return e;
}

/** A replay store with `blocks` blocks of `perBlock` 200-byte values; compacted into tables when asked. */
async function replayStore(dir: string, blocks: number, perBlock = 3, compact = false): Promise<void> {
  const s = await LevelStore.open(dir, { create: true });
  for (let h = 0; h < blocks; h++) {
    for (let i = 0; i < perBlock; i++) s.put(u(h & 0xff, h >> 8, i), new Uint8Array(200).fill(i + h));
    await s.commitBlock({ height: h });
  }
  await s.close();
  if (compact) {
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
    await db.open();
    await db.compactRange(u(0), u(0xff));
    await db.close();
  }
}

describe("item 1: node records above the contract-state height", () => {
  it("deleted DIR/chain: the node used to delete every block, receipt and tx record above the state's height; now it refuses (both heights, --rebuild named, exit 2, DIR unchanged) and --rebuild restores the state", async () => {
    const D = path.join(tempDir("redteam"), "d");
    const { height, txs } = await grow(D, 12);
    expect(txs).toBeGreaterThan(20);
    const recorded = await startAndClose({ db: D });
    expect(recorded.height).toBe(height);
    const rootBefore = (await LevelStore.probe(path.join(D, "chain"), { kind: "node" })).stateRoot;

    rmSync(path.join(D, "chain"), { recursive: true });
    const before = snapshot(D);
    const r = await cli(["node", "--db", D, "--port", "0"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`go up to block ${height}`);
    expect(r.stderr).toContain("is at height -1");
    expect(r.stderr).toContain(`canary node --db ${D} --rebuild`);
    expect(snapshot(D)).toEqual(before);

    // --rebuild replays the node's own blocks into a fresh contract state.
    const node = await startNode({ db: D, port: 0, blockTimeMs: 60_000, rebuild: true });
    try {
      expect(node.height).toBe(height);
    } finally {
      await node.close();
    }
    const after = await LevelStore.probe(path.join(D, "chain"), { kind: "node" });
    expect(after.height).toBe(height);
    expect(after.stateRoot).toBe(rootBefore);
  }, 60_000);

  it("DIR/chain restored from an older backup: refused with both heights; --rebuild keeps the old chain aside and loses no block", async () => {
    const D = path.join(tempDir("redteam"), "d");
    const backup = path.join(tempDir("redteam"), "backup");
    await grow(D, 4);
    copyDir(path.join(D, "chain"), backup);
    const first = await LevelStore.probe(backup, { kind: "node" });
    const { height } = await grow(D, 25);
    rmSync(path.join(D, "chain"), { recursive: true });
    copyDir(backup, path.join(D, "chain"));
    const before = snapshot(D);
    const e = await refusal(startNode({ db: D, port: 0 }));
    expect(e.message).toContain(`go up to block ${height}`);
    expect(e.message).toContain(`is at height ${first.height}`);
    expect(e.message).toContain("--rebuild");
    expect(snapshot(D)).toEqual(before);

    const lines: string[] = [];
    const node = await startNode({ db: D, port: 0, blockTimeMs: 60_000, rebuild: true, log: (l) => lines.push(l) });
    expect(node.height).toBe(height);
    await node.close();
    expect(lines.join("\n")).toMatch(/previous chain store was kept at .*chain\.before-rebuild-/);
    expect(readdirSync(D).some((n) => n.startsWith("chain.before-rebuild-"))).toBe(true);
  }, 60_000);

  it("a stop between the two writes of a block (records one block ahead) used to drop that block; now it is rolled forward from the records", async () => {
    const D = path.join(tempDir("redteam"), "d");
    const backup = path.join(tempDir("redteam"), "backup");
    await grow(D, 3);
    // The state one block behind the records, as a kill between the two batches leaves it:
    // a copy of DIR/chain taken one block earlier.
    let height = -1;
    for (let attempt = 0; attempt < 5; attempt++) {
      rmSync(backup, { recursive: true, force: true });
      copyDir(path.join(D, "chain"), backup);
      const was = (await LevelStore.probe(backup, { kind: "node" })).height;
      height = (await grow(D, 1, 5, 300)).height;
      if (height === was + 1) break;
    }
    expect((await LevelStore.probe(backup, { kind: "node" })).height).toBe(height - 1);
    rmSync(path.join(D, "chain"), { recursive: true });
    copyDir(backup, path.join(D, "chain"));
    // A block that does not re-execute to its record (here: another gas limit) is refused, DIR unchanged.
    const before = snapshot(D);
    const e = await refusal(startNode({ db: D, port: 0, blockTimeMs: 60_000, txGasLimit: 1 }));
    expect(e.message).toMatch(new RegExp(`cannot roll .* forward to block ${height}; nothing was changed: transaction 0 of block ${height} .* re-executes to code`));
    expect(snapshot(D)).toEqual(before);
    const node = await startNode({ db: D, port: 0, blockTimeMs: 60_000 });
    expect(node.height).toBe(height);
    await node.close();
  }, 60_000);
});

describe("item 2: corruption", () => {
  it("one flipped byte in a LevelDB .log used to be skipped silently (committed blocks vanished); now CORRUPT names the file and byte, nothing changed", async () => {
    const dir = path.join(tempDir("redteam"), "db");
    await replayStore(dir, 30);
    const [log] = filesOf(dir, /\.log$/);
    const size = readFileSync(log!).length;
    flipByte(log!, Math.floor(size / 2));
    const before = snapshot(dir);
    const e = await refusal(LevelStore.open(dir));
    expect(e).toBeInstanceOf(ChainStoreError);
    expect((e as ChainStoreError).code).toBe("CORRUPT");
    expect(e.message).toMatch(new RegExp(`${path.basename(log!)} at byte \\d+: a log record's checksum does not match`));
    expect(snapshot(dir)).toEqual(before);
    const r = await cli(["replay", "scenarios/held-canary-25.yaml", "--db", dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("a log record's checksum does not match");
    expect(snapshot(dir)).toEqual(before);
  });

  it("a flipped byte in an .ldb table used to change a block record undetected (only the state was hashed); now CORRUPT names the table", async () => {
    const dir = path.join(tempDir("redteam"), "db");
    await replayStore(dir, 60, 3, true);
    const [table] = filesOf(dir, /\.ldb$/);
    flipByte(table!, 300);
    const before = snapshot(dir);
    const e = await refusal(LevelStore.open(dir));
    expect((e as ChainStoreError).code).toBe("CORRUPT");
    expect(e.message).toContain(path.basename(table!));
    expect(e.message).toMatch(/checksum does not match/);
    expect(snapshot(dir)).toEqual(before);
    // inspect and replay refuse it the same way, exit 2
    const r = await cli(["inspect", "--db", dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(path.basename(table!));
    expect(snapshot(dir)).toEqual(before);
  });

  it("a flipped byte in the node's records used to be accepted; canary node --db refuses with the damaged file named", async () => {
    const D = path.join(tempDir("redteam"), "d");
    await grow(D, 6);
    const [log] = filesOf(path.join(D, "node"), /\.log$/);
    flipByte(log!, 100);
    const before = snapshot(D);
    const r = await cli(["node", "--db", D, "--port", "0"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/node database .* is corrupt and was left as it is: \d+\.log at byte \d+/);
    expect(snapshot(D)).toEqual(before);
  }, 30_000);

  it("a missing block record below the head used to go unnoticed (only the latest root was checked); the count check names the block", async () => {
    const dir = path.join(tempDir("redteam"), "db");
    await replayStore(dir, 40);
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
    await db.del(u(0x62, 0, 0, 0, 3));
    await db.close();
    const before = snapshot(dir);
    const e = await refusal(LevelStore.open(dir));
    expect(e.message).toContain("the record of block 3 is missing");
    expect(snapshot(dir)).toEqual(before);
  });

  it("an old block record rewritten behind the node's back (valid checksums) is found by --verify-all, naming the height", async () => {
    const D = path.join(tempDir("redteam"), "d");
    const { height } = await grow(D, 30, 1);
    expect(height).toBeGreaterThan(20);
    const db = new ClassicLevel<Uint8Array, Uint8Array>(path.join(D, "node"), { keyEncoding: "view", valueEncoding: "view" });
    const key = u(0x62, 0, 0, 0, 2);
    const rec = JSON.parse(Buffer.from((await db.get(key))!).toString()) as { stateRoot: string };
    rec.stateRoot = "ab".repeat(32);
    await db.put(key, Buffer.from(JSON.stringify(rec)));
    await db.close();
    const before = snapshot(D);
    const r = await cli(["node", "--db", D, "--port", "0", "--verify-all"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("block 2's record does not hash to its recorded hash");
    expect(snapshot(D)).toEqual(before);
  }, 60_000);
});

describe("item 3: a refused open changes nothing", () => {
  it("a refused open used to rotate LevelDB's MANIFEST, log and LOG; now every file's name and bytes are unchanged", async () => {
    const dir = path.join(tempDir("redteam"), "db");
    await replayStore(dir, 5);
    // Refused for its content (a newer format version), which only LevelDB can read.
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
    await db.put(Buffer.from("!format"), Buffer.from(JSON.stringify({ format: "onchain-canary/chain-store", version: 99 })));
    await db.close();
    writeFileSync(path.join(dir, "LOG"), "an info log that must not be rotated\n");
    const before = snapshot(dir);
    for (let i = 0; i < 3; i++) {
      const e = await refusal(LevelStore.open(dir));
      expect((e as ChainStoreError).code).toBe("VERSION");
      expect(snapshot(dir)).toEqual(before);
    }
    const r = await cli(["replay", "scenarios/held-canary-25.yaml", "--db", dir]);
    expect(r.status).toBe(2);
    expect(snapshot(dir)).toEqual(before);
    expect(readdirSync(path.dirname(dir)).filter((n) => n.includes("open-check"))).toEqual([]);
  });
});

describe("item 4: replay --db into a node's store", () => {
  it("canary replay --db used to write into a node's chain/ sub-store; now refused (kind marker), nothing written", async () => {
    const D = path.join(tempDir("redteam"), "d");
    await grow(D, 2);
    const before = snapshot(D);
    const sub = await cli(["replay", "scenarios/held-canary-25.yaml", "--db", path.join(D, "chain")]);
    expect(sub.status).toBe(2);
    expect(sub.stderr).toContain("is a node's chain store");
    const top = await cli(["replay", "scenarios/held-canary-25.yaml", "--db", D]);
    expect(top.status).toBe(2);
    expect(top.stderr).toContain("is a node's directory");
    expect(snapshot(D)).toEqual(before);
    // inspect still reads it (read only)
    const ins = await cli(["inspect", "--db", path.join(D, "chain"), "--json"]);
    expect(ins.stderr).not.toContain("is a node's chain store");
    const s = await LevelStore.open(path.join(D, "chain"), { kind: "any" });
    expect(s.kind).toBe("node");
    await s.close();
  }, 30_000);

  it("a node chain store of the previous release (no kind in its marker) is still taken for a node's, by its layout", async () => {
    const D = path.join(tempDir("redteam"), "d");
    await grow(D, 2);
    const db = new ClassicLevel<Uint8Array, Uint8Array>(path.join(D, "chain"), { keyEncoding: "view", valueEncoding: "view" });
    await db.put(Buffer.from("!format"), Buffer.from(JSON.stringify({ format: "onchain-canary/chain-store", version: 1 })));
    await db.close();
    const before = snapshot(D);
    const sub = await cli(["replay", "scenarios/held-canary-25.yaml", "--db", path.join(D, "chain")]);
    expect(sub.status).toBe(2);
    expect(sub.stderr).toContain("is a node's chain store");
    expect(snapshot(D)).toEqual(before);
    // and the node still opens it
    const node = await startAndClose({ db: D });
    expect(node.height).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it("canary node --db on a replay's store used to create DIR/chain inside it; now refused", async () => {
    const dir = path.join(tempDir("redteam"), "db");
    await replayStore(dir, 3);
    const before = snapshot(dir);
    const r = await cli(["node", "--db", dir, "--port", "0"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("is a chain store written by canary replay --db, not a node's directory");
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync(path.join(dir, "chain"))).toBe(false);
  });
});
