// Child process of determinism.test.ts: runs the seeded random scenario (the model-test
// generator) on a new host in this process and prints the state roots as one JSON line.
//
//   node --import tsx tests/model/_determinism_child.ts <seed> [reuse|fresh]

import { pickScenario as pick, runScenario } from "./_harness.ts";

const [seedArg, mode = "reuse"] = process.argv.slice(2);
const sc = pick(Number(seedArg));
const r = runScenario(sc!, { reuse: mode === "reuse", observe: false });
process.stdout.write(JSON.stringify({ roots: r.roots, finalRoot: r.finalRoot }) + "\n");
