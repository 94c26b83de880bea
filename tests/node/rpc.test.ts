// The node refuses what must never reach a block, answers malformed requests with JSON-RPC
// errors, and keeps serving. A real node on 127.0.0.1 (port 0), in this process.
import { Buffer } from "node:buffer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeArgs } from "../../src/client/index.ts";
import {
  NodeKey,
  NodeRpc,
  RpcCanaryClient,
  RpcCode,
  RpcError,
  Wallet,
  accountOf,
  signTx,
  startNode,
  verificationScript,
  type AsyncCanaryClient,
  type CanaryNode,
} from "../../src/node/index.ts";
import { rawPost, waitFor } from "./_helpers.ts";

let node: CanaryNode;
let rpc: NodeRpc;
let wallet: Wallet;
let client: AsyncCanaryClient;
const admin = NodeKey.generate();
const reporter = NodeKey.generate();

async function refused(p: Promise<unknown>): Promise<RpcError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RpcError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

beforeAll(async () => {
  node = await startNode({ blockTimeMs: 20, maxTxPerBlock: 100 });
  rpc = new NodeRpc(node.url, { timeoutMs: 10_000 });
  wallet = new Wallet(rpc, [admin, reporter]);
  client = RpcCanaryClient(wallet);
  expect((await client.init(admin, admin.accountHex)).codeName).toBe("Ok");
  expect((await client.grantRole(admin, "Reporter", reporter.accountHex)).codeName).toBe("Ok");
  expect((await client.createFeature(admin, "f", "")).codeName).toBe("Ok");
  expect((await client.enable(admin, "f")).codeName).toBe("Ok");
}, 30_000);

afterAll(async () => {
  await node?.close();
});

/** A correctly signed recordSuccess by `key` at the account's next nonce. */
async function goodTx(key: NodeKey, over: { nonce?: number; validUntilBlock?: number; network?: number; method?: string } = {}) {
  const nonce = over.nonce ?? (await rpc.getNonce(key.accountHex)).next;
  const method = over.method ?? "recordSuccess";
  return signTx([key], {
    network: over.network ?? node.network,
    method,
    args: method === "recordSuccess" ? encodeArgs("recordSuccess", { name: "f" }) : new Uint8Array(0),
    nonce,
    validUntilBlock: over.validUntilBlock ?? node.height + 100,
  });
}

describe("keys and accounts", () => {
  it("the account is RIPEMD160(SHA256(0C 21 ‖ pubkey ‖ 41 56 E7 B3 27))", () => {
    const k = NodeKey.generate();
    const script = verificationScript(k.publicKey);
    expect(Buffer.from(script).toString("hex")).toBe("0c21" + k.publicKeyHex + "4156e7b327");
    expect(accountOf(k.publicKey)).toEqual(k.account);
    expect(NodeKey.fromPrivateHex(k.privateHex()).accountHex).toBe(k.accountHex);
  });
});

describe("typed client over RPC", () => {
  it("has CanaryClient's surface: transactions, views, events, errors", async () => {
    const r = await client.recordSuccess(reporter, "f");
    expect(r.ok).toBe(true);
    expect((await client.recordSuccess(admin, "missing")).codeName).toBe("FeatureNotFound");
    expect((await client.getFeature("f"))?.status).toBe(3);
    expect(await client.hasRole("Reporter", reporter.accountHex)).toBe(true);
    expect(await client.isEnabled("f", reporter.accountHex)).toBe(true);
    // check_witness: an account that did not sign is not authorized even when it holds the role.
    const outsider = NodeKey.generate();
    wallet.add(outsider);
    expect((await client.recordSuccess({ sender: outsider, witnesses: [outsider] }, "f")).codeName).toBe("Unauthorized");
    // Two signers: the sender is the first; check_witness is true for both.
    const two = await client.recordSuccess({ sender: reporter, witnesses: [reporter, outsider] }, "f");
    expect(two.codeName).toBe("Ok");
    await expect(client.getMetrics("f")).resolves.toMatchObject({ successfulOps: 2n });
  }, 30_000);
});

describe("refused at submission, never in a block", () => {
  it("a forged signature", async () => {
    const { json, hash } = await goodTx(reporter);
    const forged = { ...json, signatures: [json.signatures[0]!.slice(0, 10) + (json.signatures[0]![10] === "0" ? "1" : "0") + json.signatures[0]!.slice(11)] };
    expect((await refused(rpc.sendTransaction(forged))).code).toBe(RpcCode.InvalidSignature);
    // Signed by another key but claiming reporter's public key.
    const other = NodeKey.generate();
    const { json: byOther } = signTx([other], { network: node.network, method: "recordSuccess", args: encodeArgs("recordSuccess", { name: "f" }), nonce: json.nonce, validUntilBlock: json.validUntilBlock });
    expect((await refused(rpc.sendTransaction({ ...byOther, signers: json.signers }))).code).toBe(RpcCode.InvalidSignature);
    // Tampered args under a valid signature.
    expect((await refused(rpc.sendTransaction({ ...json, args: encodeArgsHex("other") }))).code).toBe(RpcCode.InvalidSignature);
    const h0 = node.height;
    await waitFor("two blocks", () => (node.height >= h0 + 2 ? true : undefined));
    expect(await rpc.getTransaction(hash)).toBeNull();
    expect((await rpc.getNonce(reporter.accountHex)).committed).toBe(json.nonce);
  });

  it("a replayed nonce (pending and committed)", async () => {
    const { json, hash } = await goodTx(reporter);
    await rpc.sendTransaction(json);
    expect((await refused(rpc.sendTransaction(json))).code).toBe(RpcCode.NonceTooLow);
    const t = await rpc.waitForTransaction(hash, { timeoutMs: 10_000 });
    expect(t.status).toBe("HALT");
    const again = await refused(rpc.sendTransaction(json));
    expect(again.code).toBe(RpcCode.NonceTooLow);
    expect(again.data).toEqual({ expected: json.nonce + 1 });
    // A stale nonce signed afresh (new validUntilBlock, so a new hash) is refused too.
    const stale = await goodTx(reporter, { nonce: json.nonce });
    expect((await refused(rpc.sendTransaction(stale.json))).code).toBe(RpcCode.NonceTooLow);
    // A gap is refused as well: nonces are consecutive.
    const gap = await goodTx(reporter, { nonce: json.nonce + 5 });
    expect((await refused(rpc.sendTransaction(gap.json))).code).toBe(RpcCode.NonceTooHigh);
    const h0 = node.height;
    await waitFor("two blocks", () => (node.height >= h0 + 2 ? true : undefined));
    for (const h of [stale.hash, gap.hash]) expect(await rpc.getTransaction(h)).toBeNull();
    expect((await rpc.getNonce(reporter.accountHex)).committed).toBe(json.nonce + 1);
  });

  it("an expired transaction, and one too far ahead", async () => {
    const h = node.height;
    const expired = await goodTx(reporter, { validUntilBlock: Math.max(0, h) });
    const e = await refused(rpc.sendTransaction(expired.json));
    expect(e.code).toBe(RpcCode.Expired);
    const far = await goodTx(reporter, { validUntilBlock: h + 100_000 });
    expect((await refused(rpc.sendTransaction(far.json))).code).toBe(RpcCode.ValidUntilTooFar);
    await waitFor("two blocks", () => (node.height >= h + 2 ? true : undefined));
    expect(await rpc.getTransaction(expired.hash)).toBeNull();
  });

  it("unknown methods, onPersist, views and another network", async () => {
    for (const method of ["mint", "onPersist", "getFeature"]) {
      const t = await goodTx(reporter, { method });
      expect((await refused(rpc.sendTransaction(t.json))).code).toBe(RpcCode.UnknownMethod);
    }
    const t = await goodTx(reporter, { network: node.network + 1 });
    expect((await refused(rpc.sendTransaction(t.json))).code).toBe(RpcCode.WrongNetwork);
    // Claiming this network on a transaction signed for another: the signature fails.
    expect((await refused(rpc.sendTransaction({ ...t.json, network: node.network }))).code).toBe(RpcCode.InvalidSignature);
  });
});

function encodeArgsHex(name: string): string {
  return Buffer.from(encodeArgs("recordSuccess", { name })).toString("hex");
}

describe("malformed requests get JSON-RPC errors and the node keeps serving", () => {
  it("parse errors, invalid requests, unknown methods, wrong parameter types, oversized bodies", async () => {
    const url = node.url;
    const cases: [string | Uint8Array, number][] = [
      ["{not json", RpcCode.ParseError],
      ["", RpcCode.ParseError],
      ['{"jsonrpc":"1.0","method":"getHeight","id":1}', RpcCode.InvalidRequest],
      ['{"jsonrpc":"2.0","id":1}', RpcCode.InvalidRequest],
      ["[]", RpcCode.InvalidRequest],
      ["42", RpcCode.InvalidRequest],
      ['{"jsonrpc":"2.0","method":"getHeight","params":5,"id":1}', RpcCode.InvalidRequest],
      ['{"jsonrpc":"2.0","method":"nope","id":1}', RpcCode.MethodNotFound],
      ['{"jsonrpc":"2.0","method":"getBlock","params":{"height":"1"},"id":1}', RpcCode.InvalidParams],
      ['{"jsonrpc":"2.0","method":"getBlock","params":[-1],"id":1}', RpcCode.InvalidParams],
      ['{"jsonrpc":"2.0","method":"getTransaction","params":{"hash":12},"id":1}', RpcCode.InvalidParams],
      ['{"jsonrpc":"2.0","method":"getEvents","params":{"fromHeight":"a"},"id":1}', RpcCode.InvalidParams],
      ['{"jsonrpc":"2.0","method":"call","params":{"method":"getFeature","args":"zz"},"id":1}', RpcCode.InvalidParams],
      ['{"jsonrpc":"2.0","method":"call","params":{"method":"recordSuccess","args":""},"id":1}', RpcCode.NotAView],
      ['{"jsonrpc":"2.0","method":"sendTransaction","params":{"tx":{"nonce":"1"}},"id":1}', RpcCode.InvalidParams],
      ['{"jsonrpc":"2.0","method":"sendTransaction","params":{"tx":[]},"id":1}', RpcCode.InvalidParams],
      ['{"jsonrpc":"2.0","method":"sendTransaction","params":{},"id":1}', RpcCode.InvalidParams],
    ];
    for (const [body, code] of cases) {
      const r = await rawPost(url, body);
      expect(r.json?.error?.code, `${String(body)} → ${JSON.stringify(r.json)}`).toBe(code);
      expect(r.json.jsonrpc).toBe("2.0");
    }
    // A transaction with every field but a malformed signature length.
    const { json } = await goodTx(reporter);
    const r1 = await rawPost(url, JSON.stringify({ jsonrpc: "2.0", id: 7, method: "sendTransaction", params: { tx: { ...json, signatures: ["00"] } } }));
    expect(r1.json.error.code).toBe(RpcCode.InvalidParams);
    expect(r1.json.id).toBe(7);
    // Oversized (2 MiB, over the 1 MiB limit).
    const big = await rawPost(url, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getHeight", pad: "x".repeat(2 << 20) }));
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe(RpcCode.InvalidRequest);
    // A batch answers each request; a notification gets no answer.
    const batch = await rawPost(url, JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "getHeight" }, { jsonrpc: "2.0", method: "getHeight" }, { jsonrpc: "2.0", id: 2, method: "nope" }]));
    expect(batch.json).toHaveLength(2);
    expect(batch.json[1].error.code).toBe(RpcCode.MethodNotFound);
    // Still serving: a transaction lands.
    const { hash } = await wallet.send([reporter], "recordSuccess", encodeArgs("recordSuccess", { name: "f" }));
    expect((await rpc.waitForTransaction(hash, { timeoutMs: 10_000 })).status).toBe("HALT");
    expect(await rpc.getHeight()).toBeGreaterThan(0);
  }, 30_000);

  it("getTransaction, getBlock and getEvents report what happened", async () => {
    const r = await wallet.send([admin], "startCanary", encodeArgs("startCanary", { name: "f", bps: 0 }));
    const t = await rpc.waitForTransaction(r.hash, { timeoutMs: 10_000 });
    expect(t).toMatchObject({ status: "FAULT", error: "InvalidTransition", code: 8, events: [] });
    const b = (await rpc.getBlock(t.height)) as { txs: string[]; hash: string; stateRoot: string };
    expect(b.txs).toContain(r.hash);
    const ev = await rpc.getEvents({ name: "FeatureCreated", feature: "f" });
    expect(ev.events).toHaveLength(1);
    expect(ev.events[0]).toMatchObject({ name: "FeatureCreated", data: { name: "f", createdBy: admin.accountHex } });
    expect((await rpc.getEvents({ feature: "nope" })).events).toHaveLength(0);
    expect(await rpc.getBlock(node.height + 1000)).toBeNull();
  }, 30_000);
});

describe("the node's gas limit per transaction", () => {
  it("applies to every transaction: with 30,000 a halt over one active feature runs, over four it FAULTs OutOfGas and changes nothing", async () => {
    const small = await startNode({ blockTimeMs: 20, maxTxPerBlock: 100, txGasLimit: 30_000 });
    try {
      const r = new NodeRpc(small.url, { timeoutMs: 10_000 });
      expect((await r.getInfo()).txGasLimit).toBe(30_000);
      const guardian = NodeKey.generate();
      const c = RpcCanaryClient(new Wallet(r, [admin, guardian]));
      expect((await c.init(admin, admin.accountHex)).codeName).toBe("Ok");
      expect((await c.grantRole(admin, "Guardian", guardian.accountHex)).codeName).toBe("Ok");
      for (const n of ["a", "b", "c", "d"]) expect((await c.createFeature(admin, n, "")).codeName).toBe("Ok");
      expect((await c.startCanary(admin, "a", 100)).codeName).toBe("Ok");
      expect((await c.setGlobal(guardian, false, true)).ok).toBe(true);
      expect((await c.setGlobal(guardian, false, false)).ok).toBe(true);
      for (const n of ["b", "c", "d"]) expect((await c.startCanary(admin, n, 100)).codeName).toBe("Ok");
      const halt = await c.setGlobal(guardian, false, true);
      expect(halt.ok).toBe(false);
      expect(halt.trap).toMatch(/OutOfGas/);
      expect(await c.getGlobal()).toEqual({ paused: false, halted: false });
    } finally {
      await small.close();
    }
  }, 30_000);
});
