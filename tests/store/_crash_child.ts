// Child process of the crash-safety test: replays the workload into a chain store, one
// committed batch per block, and prints "committed H" after each commit, until killed.
//   node --import tsx tests/store/_crash_child.ts DIR UNTIL

import { LevelStore } from "../../src/store/index.ts";
import { newChain, runWorkloadBlock } from "./_workload.ts";

const [dir, untilArg] = process.argv.slice(2);
const until = Number(untilArg);
const store = await LevelStore.open(dir!, { create: true });
const chain = newChain(store);
for (let h = store.height + 1; h <= until; h++) {
  const br = runWorkloadBlock(chain, h);
  await store.commitBlock(br);
  process.stdout.write(`committed ${h}\n`);
}
await store.close();
process.stdout.write("done\n");
