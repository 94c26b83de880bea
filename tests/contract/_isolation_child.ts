// Child process of isolation.test.ts: replays one seeded random call sequence on a new host
// in this separate process and prints one JSON line: the state root after every block and a
// digest of every call's code, output and events.
//
//   node --import tsx tests/contract/_isolation_child.ts <seed> <blocks> [reuse|fresh]

import { createHash } from "node:crypto";
import { Chain } from "../../src/host/index.ts";
import { releaseWasm } from "../helpers/contract.ts";
import { randomSequence, runSequence } from "./_exposure_helpers.ts";

const [seedArg, blocksArg, mode = "reuse"] = process.argv.slice(2);
const seed = Number(seedArg);
const blocks = Number(blocksArg);
if (!Number.isInteger(seed) || !Number.isInteger(blocks) || (mode !== "reuse" && mode !== "fresh")) {
  process.stderr.write("usage: _isolation_child.ts <seed> <blocks> [reuse|fresh]\n");
  process.exit(2);
}
const chain = new Chain(releaseWasm(), undefined, { reuse: mode === "reuse" });
const records = runSequence(chain, randomSequence(seed, blocks));
const digest = createHash("sha256").update(JSON.stringify(records)).digest("hex");
process.stdout.write(JSON.stringify({ root: chain.stateRoot(), roots: records.map((r) => r.stateRoot), digest }) + "\n");
