// Child process of the lock test: opens a chain store, says "open", and holds it until killed.
//   node --import tsx tests/store/_hold_child.ts DIR
import { LevelStore } from "../../src/store/index.ts";

const store = await LevelStore.open(process.argv[2]!, { create: true });
process.stdout.write(`open ${store.height}\n`);
setInterval(() => {}, 1 << 30);
