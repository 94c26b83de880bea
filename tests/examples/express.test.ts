// examples/express/app.mjs end to end against a devnet node: the app gates GET /checkout
// with CanaryProvider and reports every outcome with CanaryReporter; the new checkout fails
// for about one account in five, and the contract rolls the canary back (ErrorRate) on the
// reports the app's reporter sent — then the app serves the old checkout to everyone.
// The app runs as users run it (its own process, `onchain-canary/openfeature` resolved by
// the package's name; in the checkout the `canary-source` export condition maps it to src/).

import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RollbackReason, Status } from "../../src/client/enums.ts";
import { Keystore, type AsyncCanaryClient, type CanaryNode, type NodeKey, type NodeRpc } from "../../src/node/index.ts";
import { startDevnet } from "../helpers/devnet.ts";
import { ROOT } from "../helpers/paths.ts";
import { freePort, poll } from "../helpers/process.ts";
import { tempDirHandle } from "../helpers/temp.ts";

const FLAG = "new_checkout";
const APP = path.join(ROOT, "examples", "express", "app.mjs");

let devnet: Awaited<ReturnType<typeof startDevnet>>;
let node: CanaryNode;
let rpc: NodeRpc;
let client: AsyncCanaryClient;
let admin: NodeKey;
let app: ChildProcess;
let appUrl: string;
let appStderr = "";
let reporterAccount: string;
const temp = tempDirHandle("example");

async function checkout(account: string): Promise<{ status: number; path?: string }> {
  const res = await fetch(`${appUrl}/checkout`, { headers: { "x-account": account }, signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { path?: string };
  return { status: res.status, ...(body.path === undefined ? {} : { path: body.path }) };
}

const account = (): string => "0x" + randomBytes(20).toString("hex");

beforeAll(async () => {
  devnet = await startDevnet({ blockTimeMs: 50 });
  ({ node, rpc, client, admin } = devnet);
  // The reporter's key, as an operator would make it: `canary keys new reporter`.
  const keystoreFile = path.join(temp.dir, "keys.json");
  const keystore = Keystore.load(keystoreFile, { create: true });
  reporterAccount = keystore.create("reporter").accountHex;
  keystore.save();
  expect((await client.grantRole(admin, "Reporter", reporterAccount)).codeName).toBe("Ok");
  // The default policy: Sequential, p0 = 1 %, p1 = 2 %, 100 run samples before a verdict.
  expect((await client.createFeature(admin, FLAG, "the new checkout", null)).codeName).toBe("Ok");
  expect((await client.startCanary(admin, FLAG, 2000)).codeName).toBe("Ok");

  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  app = spawn(process.execPath, ["--import", "tsx", "--conditions=canary-source", APP], {
    cwd: path.dirname(APP),
    env: { ...process.env, CANARY_NODE: node.url, CANARY_KEYSTORE: keystoreFile, CANARY_REPORTER_KEY: "reporter", CANARY_REPORT_MS: "200", PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  app.stderr!.setEncoding("utf8").on("data", (d: string) => (appStderr += d));
  // Ready when the app answers and its provider has the snapshot (some account sees "new").
  await poll(
    "the example app to serve the new checkout to some account",
    async () => {
      try {
        for (let i = 0; i < 20; i++) if ((await checkout(account())).path === "new") return true;
      } catch {
        return undefined;
      }
      return undefined;
    },
    30_000,
    100,
    () => appStderr,
  );
}, 60_000);

afterAll(async () => {
  app?.kill("SIGKILL");
  await devnet?.close();
  temp.cleanup();
});

describe("examples/express/app.mjs against a devnet node", () => {
  it("rolls the bad canary back (ErrorRate) on the reports its reporter sent, then serves the old checkout to everyone", async () => {
    let requests = 0;
    let served = { new: 0, old: 0, failed: 0 };
    const view = await poll(
      "the contract to roll new_checkout back",
      async () => {
        const batch = await Promise.all(Array.from({ length: 40 }, () => checkout(account())));
        for (const r of batch) {
          requests++;
          if (r.status === 500) served.failed++;
          else if (r.path === "new") served.new++;
          else served.old++;
        }
        const v = (await client.getFeature(FLAG))!;
        return v.status === Status.RolledBack ? v : undefined;
      },
      60_000,
      0,
      () => `after ${requests} requests (${JSON.stringify(served)}); app stderr: ${appStderr}`,
    );
    expect(view.rollbackReason).toBe(RollbackReason.ErrorRate);
    // The verdict was the contract's, on the app's reports: the run counters are the reporter's.
    expect(view.runSuccesses + view.runErrors).toBeGreaterThanOrEqual(100n);
    expect(view.runErrors).toBeGreaterThan(0n);
    expect(served.failed).toBeGreaterThan(0);
    const sent = await rpc.getEvents({ name: "StatusChanged", feature: FLAG });
    const rollback = sent.events.find((e: any) => e.data.to === "RolledBack" || e.data.to === Status.RolledBack) as any;
    expect(rollback).toBeDefined();
    const tx = (await rpc.getTransaction(rollback.tx)) as any;
    expect(tx.sender).toBe(reporterAccount);
    expect(tx.method).toBe("recordCohorts");

    // Within a few blocks the app's provider sees RolledBack: every account gets the old path.
    served = { new: 0, old: 0, failed: 0 };
    await poll("the app to stop serving the new checkout", async () => {
      const batch = await Promise.all(Array.from({ length: 50 }, () => checkout(account())));
      return batch.every((r) => r.status === 200 && r.path === "old") ? true : undefined;
    }, 10_000, 50);

    // SIGTERM: the app closes its reporter (a last flush) and exits 0.
    const exited = new Promise<number | null>((resolve) => app.once("exit", (code) => resolve(code)));
    app.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 90_000);
});
