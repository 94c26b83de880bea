// Issue #17 item 8: the CPU cost of a 1 MiB JSON-RPC batch of replayed 16-signer
// transactions, against the cost of parsing the same body. Run: npx tsx scripts/measure-admission.ts
// The node runs in this process (in memory); CPU time is process.cpuUsage over the request.
import { Buffer } from "node:buffer";
import { request } from "node:http";
import { encodeArgs } from "../src/client/index.ts";
import { NodeKey, parseTx, signTx, startNode } from "../src/node/index.ts";

const keys = Array.from({ length: 16 }, () => NodeKey.generate());
const node = await startNode({ port: 0, blockTimeMs: 20 });
const args = encodeArgs("recordSuccess", { name: "f" });
const { json, hash } = signTx(keys, { network: node.network, method: "recordSuccess", args, nonce: 0, validUntilBlock: 1000 });
node.submit(json);
while (node.mempoolSize > 0 || node.height < 1) await new Promise((r) => setTimeout(r, 10));
await new Promise((r) => setTimeout(r, 50));

// ~1 MiB of the same, already-included transaction (a replay) as one batch.
const one = JSON.stringify({ jsonrpc: "2.0", id: 0, method: "sendTransaction", params: { tx: json } });
const n = Math.min(1000, Math.floor((1 << 20) / (one.length + 1)));
const body = "[" + Array.from({ length: n }, (_, i) => JSON.stringify({ jsonrpc: "2.0", id: i, method: "sendTransaction", params: { tx: json } })).join(",") + "]";

function send(): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: node.port, method: "POST", path: "/", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      let t = "";
      res.setEncoding("utf8").on("data", (d) => (t += d)).on("end", () => resolve(t));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const cpu = (f: () => unknown): number => {
  const c = process.cpuUsage();
  f();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
};
const cpuAsync = async (f: () => Promise<unknown>): Promise<number> => {
  const c = process.cpuUsage();
  await f();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
};

await send(); // warm-up
const rounds = 5;
const req: number[] = [];
const parse: number[] = [];
const parseAll: number[] = [];
let answer = "";
for (let i = 0; i < rounds; i++) {
  const before = node.stats.refused;
  req.push(await cpuAsync(async () => (answer = await send())));
  if (node.stats.refused - before !== n) throw new Error("not every replay was refused");
  parse.push(cpu(() => JSON.parse(body)));
  // "Parsing the request": the JSON, then every transaction's fields (types, lengths, hex).
  parseAll.push(cpu(() => (JSON.parse(body) as { params: { tx: unknown } }[]).map((r) => parseTx(r.params.tx))));
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const codes = new Set((JSON.parse(answer) as { error: { code: number } }[]).map((r) => r.error.code));
console.log(JSON.stringify({ bodyBytes: Buffer.byteLength(body), transactions: n, signersEach: 16, refusedWith: [...codes], included: hash, requestCpuMs: med(req), jsonParseCpuMs: med(parse), fullParseCpuMs: med(parseAll), vsJsonParse: +(med(req) / med(parse)).toFixed(1), vsFullParse: +(med(req) / med(parseAll)).toFixed(2), signatureChecks: (node.stats as Record<string, number>).signatureChecks ?? "n/a" }));
await node.close();
