// A lab worker: receives the scenario and the module once (workerData), then replays one
// seed per message with the in-memory store and posts each run's outcome back.

import { parentPort, workerData } from "node:worker_threads";
import type { Scenario } from "../replay/scenario.ts";
import { runOnce } from "./run.ts";
import type { ToWorker, FromWorker } from "./pool.ts";

const { scenario, wasm } = workerData as { scenario: Scenario; wasm: Uint8Array };
const port = parentPort!;

port.on("message", (m: ToWorker) => {
  let out: FromWorker;
  try {
    out = { kind: "run", index: m.index, runs: runOnce(scenario, wasm, m.seed) };
  } catch (e) {
    out = { kind: "error", index: m.index, message: e instanceof Error ? (e.stack ?? e.message) : String(e), name: e instanceof Error ? e.name : "Error" };
  }
  port.postMessage(out);
});
port.postMessage({ kind: "ready" } satisfies FromWorker);
