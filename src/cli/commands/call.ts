// canary call METHOD ARGS_JSON: runs a view on a node's latest committed block (docs/NODE.md).

import { NodeRpc } from "../../node/client.ts";
import { parseCommandLine, type Command } from "../command.ts";
import { EXIT, UsageError } from "../errors.ts";
import type { CliIO } from "../io.ts";
import { DEFAULT_URL, encodeJsonArgs, methodArg, rpcFailure } from "../rpc.ts";

const usage = `usage: canary call METHOD ARGS_JSON [--node URL] [--sender ACCOUNT]

Runs a view of the contract on the node's latest committed block (no transaction) and
prints the result as JSON; the exit status is 1 when the view returns an error code.

  --node URL        default ${DEFAULT_URL}
  --sender ACCOUNT  the caller the view sees (0x + 40 hex; default all zero)
`;

export const callCommand: Command = {
  name: "call",
  summary: "run a read-only view on a node",
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandLine(argv, { node: { type: "string" }, sender: { type: "string" } });
    if (values.help) {
      io.stdout(usage);
      return EXIT.ok;
    }
    if (positionals.length < 1 || positionals.length > 2) throw new UsageError(`call needs METHOD and ARGS_JSON, got ${positionals.length} argument(s)`);
    const method = methodArg(positionals[0], "call");
    const args = encodeJsonArgs(method, positionals[1] ?? "{}");
    if (values.sender !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(values.sender)) throw new UsageError("--sender must be 0x + 40 hex digits");
    const rpc = new NodeRpc(values.node ?? DEFAULT_URL);
    try {
      const r = await rpc.call(method, args, values.sender?.toLowerCase());
      io.stdout(JSON.stringify({ height: r.height, status: r.status, code: r.code, error: r.error, result: r.result }, null, 2) + "\n");
      return r.status === "HALT" ? EXIT.ok : EXIT.failed;
    } catch (e) {
      return rpcFailure(e);
    } finally {
      rpc.close();
    }
  },
};
