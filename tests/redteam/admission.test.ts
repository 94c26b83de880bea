// Issue #17, items 8–9: cheap checks before signatures; low-s signatures only.
import { Buffer } from "node:buffer";
import { afterEach, describe, expect, it } from "vitest";
import { encodeArgs } from "../../src/client/index.ts";
import { NodeKey, RpcCode, signTx, signingPayload, verifySignature, startNode, type CanaryNode } from "../../src/node/index.ts";
import { rawPost } from "../node/_helpers.ts";

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const nodes: CanaryNode[] = [];
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.close();
});
const args = encodeArgs("recordSuccess", { name: "f" });
const keys = Array.from({ length: 16 }, () => NodeKey.generate());

describe("item 8: cheap checks before any signature", () => {
  it("replayed 16-signer transactions used to cost 16 ECDSA verifications each (642 ms of CPU per 1 MiB); now refused on the nonce with no signature verified", async () => {
    const node = await startNode({ port: 0, blockTimeMs: 10 });
    nodes.push(node);
    const { json } = signTx(keys, { network: node.network, method: "recordSuccess", args, nonce: 0, validUntilBlock: 1000 });
    node.submit(json);
    while (node.mempoolSize > 0 || node.height < 1) await new Promise((r) => setTimeout(r, 5));
    const checks = node.stats.signatureChecks;
    expect(checks).toBe(16);
    const batch = Array.from({ length: 200 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "sendTransaction", params: { tx: json } }));
    const r = await rawPost(node.url, JSON.stringify(batch));
    expect(r.json).toHaveLength(200);
    for (const a of r.json) expect(a.error.code).toBe(RpcCode.NonceTooLow);
    expect(node.stats.signatureChecks).toBe(checks);
  });

  it("expired, too-far, wrong-network, nonce-gap and duplicate transactions are refused before their (bad) signatures are looked at", async () => {
    const node = await startNode({ port: 0, blockTimeMs: 5 });
    nodes.push(node);
    while (node.height < 2) await new Promise((r) => setTimeout(r, 5));
    const garbage = (tx: ReturnType<typeof signTx>["json"]) => ({ ...tx, signatures: tx.signatures.map(() => "11".repeat(64)) });
    const cases: [number, Parameters<typeof signTx>[1]][] = [
      [RpcCode.Expired, { network: node.network, method: "recordSuccess", args, nonce: 0, validUntilBlock: 0 }],
      [RpcCode.ValidUntilTooFar, { network: node.network, method: "recordSuccess", args, nonce: 0, validUntilBlock: 1_000_000 }],
      [RpcCode.WrongNetwork, { network: node.network + 1, method: "recordSuccess", args, nonce: 0, validUntilBlock: 1000 }],
      [RpcCode.NonceTooHigh, { network: node.network, method: "recordSuccess", args, nonce: 5, validUntilBlock: 1000 }],
    ];
    for (const [code, fields] of cases) {
      const { json } = signTx(keys, fields);
      const r = await rawPost(node.url, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "sendTransaction", params: { tx: garbage(json) } }));
      expect(r.json.error.code, JSON.stringify(fields)).toBe(code);
    }
    expect(node.stats.signatureChecks).toBe(0);
    // a valid one is accepted (16 checks); the same again is a duplicate: no further check
    const { json } = signTx(keys, { network: node.network, method: "recordSuccess", args, nonce: 0, validUntilBlock: 1000 });
    node.submit(json);
    expect(node.stats.signatureChecks).toBe(16);
    expect(() => node.submit(json)).toThrow();
    expect(node.stats.signatureChecks).toBe(16);
    // a bad signature with a good nonce is still InvalidSignature
    const { json: other } = signTx(keys, { network: node.network, method: "recordSuccess", args, nonce: 1, validUntilBlock: 1000 });
    const r = await rawPost(node.url, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "sendTransaction", params: { tx: garbage(other) } }));
    expect(r.json.error.code).toBe(RpcCode.InvalidSignature);
  });
});

describe("item 9: low-s signatures only", () => {
  it("a high-s signature (the malleable twin n − s of a valid one) used to verify; now refused, and our keys sign low-s", async () => {
    const key = NodeKey.generate();
    const node = await startNode({ port: 0, blockTimeMs: 60_000 });
    nodes.push(node);
    for (let i = 0; i < 20; i++) {
      const msg = Buffer.from(`message ${i}`);
      const sig = key.sign(msg);
      const s = BigInt("0x" + Buffer.from(sig.subarray(32)).toString("hex"));
      expect(s <= N >> 1n).toBe(true);
      expect(verifySignature(key.publicKey, msg, sig)).toBe(true);
      const high = new Uint8Array(sig);
      high.set(Buffer.from((N - s).toString(16).padStart(64, "0"), "hex"), 32);
      expect(verifySignature(key.publicKey, msg, high)).toBe(false);
    }
    // at the node: the high-s twin of a valid transaction's signature is InvalidSignature
    const { tx, json } = signTx([key], { network: node.network, method: "recordSuccess", args, nonce: 0, validUntilBlock: 1000 });
    const s = BigInt("0x" + Buffer.from(tx.signatures[0]!.subarray(32)).toString("hex"));
    const high = Buffer.concat([Buffer.from(tx.signatures[0]!.subarray(0, 32)), Buffer.from((N - s).toString(16).padStart(64, "0"), "hex")]).toString("hex");
    const r = await rawPost(node.url, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "sendTransaction", params: { tx: { ...json, signatures: [high] } } }));
    expect(r.json.error.code).toBe(RpcCode.InvalidSignature);
    expect(signingPayload(tx).length).toBeGreaterThan(0);
    expect(node.submit(json).hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
