// The SDK's side of `npm run bench` (issue #18), one process per round, run by
// scripts/bench.ts right after the seed's `seedrun bench` so both see the same machine load.
//
// A devnet node in this process (the contract, as the application would reach it), one
// feature in Canary at 5 % as the seed's "IsEnabled (canary 5%)" row, a CanaryProvider that
// loaded it, and then, on 1,024 accounts in turn:
//   evaluate  provider.evaluate(flag, account): the local evaluation alone (synchronous)
//   resolve   await provider.resolveBooleanEvaluation(flag, false, {targetingKey}): the
//             provider's resolve as the OpenFeature SDK calls it (a Promise per call)
//   client    await client.getBooleanValue(flag, false, {targetingKey}): the whole
//             OpenFeature server client (hooks, context merge, provider status, details)
//   inMemoryClient  the same client over the SDK's own InMemoryProvider: what the SDK
//             costs by itself (its build targets ES2015: async and object spreads are
//             down-levelled helpers, measured ~13 µs per evaluation here)
//   reporter  reporter.success(flag, account): one outcome classified and counted (its
//             interval is long: nothing is sent while it is measured)
// Prints one JSON line of ns per call. Timings are never asserted anywhere.
//
//   tsx src/bench/sdk.ts '{"sdk":200000}'

import { InMemoryProvider, OpenFeature } from "@openfeature/server-sdk";
import { expectOk } from "../client/client.ts";
import { fmix32 } from "../model/murmur.ts";
import { NodeKey, NodeRpc, RpcCanaryClient, Wallet, startNode } from "../node/index.ts";
import { CanaryProvider } from "../openfeature/provider.ts";
import { CanaryReporter } from "../openfeature/reporter.ts";
import { nsPerOp } from "./stats.ts";

export interface SdkRoundResult {
  evaluateNs: number;
  resolveNs: number;
  clientNs: number;
  inMemoryClientNs: number;
  reporterNs: number;
}

const FLAG = "vita_recovery_v2";
const ACCOUNTS = 1024;

function accounts(): string[] {
  // Deterministic accounts (the bench compares rounds): 20 bytes of fmix32 iterated from a seed.
  const out: string[] = [];
  let x = 0x9e3779b9;
  for (let i = 0; i < ACCOUNTS; i++) {
    let hex = "0x";
    for (let w = 0; w < 5; w++) {
      x = fmix32(x);
      hex += x.toString(16).padStart(8, "0");
    }
    out.push(hex);
  }
  return out;
}

async function nsPerAwaitedCall(n: number, run: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await run(i);
  return Number(process.hrtime.bigint() - t0) / n;
}

export async function sdkRound(n: number): Promise<SdkRoundResult> {
  const node = await startNode({ blockTimeMs: 20 });
  const admin = NodeKey.generate();
  const reporterKey = NodeKey.generate();
  const rpc = new NodeRpc(node.url);
  const client = RpcCanaryClient(new Wallet(rpc, [admin]));
  expectOk(await client.init(admin, admin.accountHex));
  expectOk(await client.grantRole(admin, "Reporter", reporterKey.accountHex));
  expectOk(await client.createFeature(admin, FLAG, "bench", null));
  expectOk(await client.startCanary(admin, FLAG, 500));

  const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };
  const provider = new CanaryProvider({ node: node.url, logger: silent });
  await OpenFeature.setProviderAndWait(provider);
  const of = OpenFeature.getClient();
  const reporter = new CanaryReporter({ provider, key: reporterKey, intervalMs: 3_600_000, logger: silent });
  const acc = accounts();
  const ctx = acc.map((targetingKey) => ({ targetingKey }));
  const mask = ACCOUNTS - 1;

  // Each row twice: the first pass warms the JIT, the second is kept.
  let sink = 0;
  const evaluate = () => nsPerOp(n, (i) => void (sink += provider.evaluate(FLAG, acc[i & mask]!)!.value ? 1 : 0));
  const resolve = () => nsPerAwaitedCall(n, (i) => provider.resolveBooleanEvaluation(FLAG, false, ctx[i & mask]!));
  const full = () => nsPerAwaitedCall(n >> 2, (i) => of.getBooleanValue(FLAG, false, ctx[i & mask]!));
  const inMemory = new InMemoryProvider({ [FLAG]: { variants: { on: true, off: false }, defaultVariant: "on", disabled: false } });
  await OpenFeature.setProviderAndWait("in-memory", inMemory);
  const ofInMemory = OpenFeature.getClient("in-memory");
  const fullInMemory = () => nsPerAwaitedCall(n >> 2, (i) => ofInMemory.getBooleanValue(FLAG, false, ctx[i & mask]!));
  const report = () => nsPerOp(n, (i) => reporter.success(FLAG, acc[i & mask]!));
  evaluate();
  await resolve();
  await full();
  await fullInMemory();
  report();
  const out: SdkRoundResult = { evaluateNs: evaluate(), resolveNs: await resolve(), clientNs: await full(), inMemoryClientNs: await fullInMemory(), reporterNs: report() };
  if (sink < 0) throw new Error("unreachable");

  await reporter.close().catch(() => {});
  await OpenFeature.close();
  rpc.close();
  await node.close();
  return out;
}

const [nJson] = process.argv.slice(2);
if (nJson !== undefined && process.argv[1]?.endsWith("sdk.ts")) {
  const n = (JSON.parse(nJson) as { sdk: number }).sdk;
  process.stdout.write(JSON.stringify(await sdkRound(n)) + "\n");
  process.exit(0);
}
