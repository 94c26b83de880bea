// A node in a child process: `node --import tsx tests/node/_node_child.ts JSON_OPTIONS`.
// Prints one line {"url": …, "height": …} once it listens; SIGTERM closes it cleanly.
import { startNode } from "../../src/node/index.ts";

const node = await startNode(JSON.parse(process.argv[2] ?? "{}"));
process.stdout.write(JSON.stringify({ url: node.url, height: node.height }) + "\n");
process.on("SIGTERM", () => {
  void node.close().then(() => process.exit(0));
});
