// The keystore, and `canary tx` / `canary call` against a real node (the command objects of
// src/cli/commands/, run with captured output).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callCommand } from "../../src/cli/commands/call.ts";
import { keysCommand } from "../../src/cli/commands/keys.ts";
import { txCommand } from "../../src/cli/commands/tx.ts";
import { Keystore, KeystoreError, startNode, type CanaryNode } from "../../src/node/index.ts";
import type { CliIO } from "../../src/cli/io.ts";
import { tempDir } from "./_helpers.ts";

const tmp = tempDir();
let node: CanaryNode;

beforeAll(async () => {
  node = await startNode({ blockTimeMs: 20 });
});
afterAll(async () => {
  await node?.close();
  tmp.cleanup();
});

async function run(cmd: typeof txCommand | typeof keysCommand, args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIO = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), stderrIsTTY: false, cwd: tmp.dir };
  try {
    return { status: await cmd.run(args, io), out, err };
  } catch (e) {
    return { status: -1, out, err: err + (e as Error).message + ((e as { hint?: string }).hint ? ` → ${(e as { hint?: string }).hint}` : "") };
  }
}

describe("keystore", () => {
  it("creates keys on demand, reloads them, refuses missing and malformed files clearly", () => {
    const file = path.join(tmp.dir, "ks", "keys.json");
    expect(() => Keystore.load(file)).toThrow(/no keystore at .*canary keys new|no keystore at/);
    const ks = Keystore.load(file, { create: true });
    const a = ks.create("alice");
    expect(() => ks.create("alice")).toThrow(KeystoreError);
    expect(() => ks.create("bad name")).toThrow(/key name/);
    const again = Keystore.load(file);
    expect(again.get("alice").accountHex).toBe(a.accountHex);
    expect(() => again.get("bob")).toThrow(/no key named "bob" .*it has: alice/);
    const bad = path.join(tmp.dir, "bad.json");
    for (const [text, why] of [
      ["{oops", /not JSON/],
      ["[]", /expected a JSON object/],
      ['{"format":"x","version":1,"keys":{}}', /format/],
      ['{"format":"onchain-canary/keystore","version":1,"keys":{"a":{"privateKey":"12"}}}', /key a: "privateKey"/],
    ] as const) {
      writeFileSync(bad, text);
      expect(() => Keystore.load(bad)).toThrow(why);
      expect(readFileSync(bad, "utf8")).toBe(text); // left as it is
    }
    const doc = JSON.parse(readFileSync(file, "utf8"));
    doc.keys.alice.account = "0x" + "00".repeat(20);
    writeFileSync(bad, JSON.stringify(doc));
    expect(() => Keystore.load(bad)).toThrow(/"account" does not belong/);
  });
});

describe("canary keys", () => {
  it("keys new creates a key and prints its account; list shows it; a taken name, a missing or malformed keystore and bad usage are refused", async () => {
    const file = path.join(tmp.dir, "keys-cmd", "keys.json");
    const missing = await run(keysCommand, ["list", "--keystore", file]);
    expect(missing.status).toBe(-1);
    expect(missing.err).toMatch(/no keystore at .*keys new NAME/);
    const made = await run(keysCommand, ["new", "carol", "--keystore", file]);
    expect(made.status).toBe(0);
    const account = Keystore.load(file).get("carol").accountHex;
    expect(made.out).toBe(`carol ${account}\n`);
    expect((await run(keysCommand, ["list", "--keystore", file])).out).toBe(`carol ${account}\n`);
    const taken = await run(keysCommand, ["new", "carol", "--keystore", file]);
    expect(taken.status).toBe(-1);
    expect(taken.err).toMatch(/already exists/);
    expect(Keystore.load(file).get("carol").accountHex).toBe(account); // not replaced
    expect((await run(keysCommand, [])).err).toMatch(/keys needs `new NAME` or `list`/);
    const bad = path.join(tmp.dir, "keys-cmd", "bad.json");
    writeFileSync(bad, "{oops");
    const malformed = await run(keysCommand, ["new", "dave", "--keystore", bad]);
    expect(malformed.err).toMatch(/malformed.*→ fix or move the file/);
    expect(readFileSync(bad, "utf8")).toBe("{oops");
  });
});

describe("canary tx / canary call", () => {
  it("signs with a named key, waits for the block, prints the receipt; views print results", async () => {
    const ks = path.join(tmp.dir, "cli-keys.json");
    const common = ["--node", node.url, "--keystore", ks];
    const admin = Keystore.load(ks, { create: true }).getOrCreate("admin").key.accountHex;
    let r = await run(txCommand, ["init", JSON.stringify({ admin }), "--key", "admin", ...common]);
    expect(r.status, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ status: "HALT", code: 0 });
    r = await run(txCommand, ["createFeature", '{"name":"cli_f","description":"d","policy":null}', "--key", "admin", ...common]);
    expect(JSON.parse(r.out).events[0]).toMatchObject({ name: "FeatureCreated", data: { name: "cli_f", createdBy: admin } });
    // A key created on first use; it holds no role: FAULT, exit 1.
    r = await run(txCommand, ["enable", '{"name":"cli_f"}', "--key", "mallory", ...common]);
    expect(r.err).toMatch(/created key mallory/);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ status: "FAULT", error: "Unauthorized" });
    r = await run(callCommand, ["getFeature", '{"name":"cli_f"}', "--node", node.url]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.out).result).toMatchObject({ name: "cli_f", status: "Disabled" });
    // Usage and refusals.
    expect((await run(callCommand, ["recordSuccess", "{}", "--node", node.url])).err).toMatch(/not a view/);
    expect((await run(txCommand, ["getFeature", "{}", "--key", "admin", ...common])).err).toMatch(/is a view/);
    expect((await run(txCommand, ["enable", "{oops", "--key", "admin", ...common])).err).toMatch(/not JSON/);
    expect((await run(txCommand, ["enable", '{"nom":1}', "--key", "admin", ...common])).err).toMatch(/arguments of enable/);
    expect((await run(callCommand, ["getGlobal", "{}", "--node", "http://127.0.0.1:1"])).err).toMatch(/cannot reach the node/);
    writeFileSync(path.join(tmp.dir, "broken.json"), "{");
    const broken = await run(txCommand, ["enable", '{"name":"cli_f"}', "--key", "admin", "--node", node.url, "--keystore", "broken.json"]);
    expect(broken.err).toMatch(/malformed/);
    expect(existsSync(path.join(tmp.dir, "broken.json"))).toBe(true);
  }, 30_000);
});
