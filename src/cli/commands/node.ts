// canary node [--db DIR] [--port P]: a local devnet node of the contract (src/node/, docs/NODE.md).

import path from "node:path";
import { HTTP_FLAGS, httpLimits } from "../../node/flags.ts";
import { startNode } from "../../node/node.ts";
import { parseCommandLine, type Command } from "../command.ts";
import { CliError, EXIT, UsageError } from "../errors.ts";
import type { CliIO } from "../io.ts";
import { DEFAULT_PORT } from "../rpc.ts";

function intOption(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`--${name} must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

const usage = `usage: canary node [--db DIR [--rebuild] [--verify-all]] [--port P] [--block-time MS] [--max-tx N] [--gas-limit N] [--network MAGIC] [--wasm PATH]

Runs a local devnet node of the canary contract: JSON-RPC 2.0 over HTTP on 127.0.0.1,
server-sent events at GET /events, a block every --block-time. Stops on Ctrl-C.

  --db DIR          keep the chain in DIR (DIR/chain: the chain store, DIR/node: blocks,
                    transactions, receipts, nonces); in memory without
  --rebuild         rebuild DIR/chain (the contract state) by re-executing the node's own
                    block records; the old DIR/chain is kept aside (docs/NODE.md)
  --verify-all      check every block record at start, not only the latest
  --port P          TCP port (default ${DEFAULT_PORT}; 0 picks a free one)
  --block-time MS   milliseconds between blocks (default 1000)
  --max-tx N        transactions per block at most (default 1000)
  --gas-limit N     gas limit of each transaction (default 10000000; a halt over more than
                    ~1,300 active features needs more: docs/GAS.md)
  --network MAGIC   u32 network magic signed into transactions (default 1128353345, "CANA")
  --wasm PATH       the module (default: build/canary.metered.wasm of this checkout)

HTTP (docs/NODE.md, "HTTP limits and browser safety"):
  --allow-host H    also serve Host H (comma-separated; besides 127.0.0.1, localhost, [::1])
  --cors ORIGIN     let browser pages of ORIGIN (e.g. http://localhost:5173) call the node
  --header-timeout MS      request headers must arrive within MS (default 20000)
  --body-timeout MS        a request body must arrive within MS (default 20000)
  --keep-alive-timeout MS  idle keep-alive connections close after MS (default 5000)
  --max-connections N      open connections at most (default 256; 503 beyond)
  --max-subscribers N      GET /events subscribers at most (default 256; 503 beyond)
`;

export const nodeCommand: Command = {
  name: "node",
  summary: "a local devnet node: JSON-RPC, signed transactions, blocks",
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandLine(argv, {
      db: { type: "string" },
      port: { type: "string" },
      "block-time": { type: "string" },
      "max-tx": { type: "string" },
      "gas-limit": { type: "string" },
      network: { type: "string" },
      wasm: { type: "string" },
      rebuild: { type: "boolean" },
      "verify-all": { type: "boolean" },
      ...HTTP_FLAGS,
    });
    if (values.help) {
      io.stdout(usage);
      return EXIT.ok;
    }
    if (positionals.length > 0) throw new UsageError(`node takes no arguments, got ${positionals.join(" ")}`);
    const db = values.db === undefined ? undefined : path.resolve(io.cwd, values.db);
    let node;
    try {
      node = await startNode({
        ...(db !== undefined ? { db } : {}),
        port: intOption("port", values.port, 0, 65535) ?? DEFAULT_PORT,
        blockTimeMs: intOption("block-time", values["block-time"], 1, 3_600_000) ?? 1000,
        maxTxPerBlock: intOption("max-tx", values["max-tx"], 1, 1_000_000) ?? 1000,
        ...(values["gas-limit"] !== undefined ? { txGasLimit: intOption("gas-limit", values["gas-limit"], 1, Number.MAX_SAFE_INTEGER)! } : {}),
        ...(values.network !== undefined ? { network: intOption("network", values.network, 0, 0xffffffff)! } : {}),
        ...(values.wasm !== undefined ? { wasm: path.resolve(io.cwd, values.wasm) } : {}),
        onError: (e) => io.stderr(`canary node: ${(e as Error)?.message ?? String(e)}\n`),
        ...(values.rebuild ? { rebuild: true } : {}),
        ...(values["verify-all"] ? { verifyAll: true } : {}),
        log: (line) => io.stderr(`canary node: ${line}\n`),
        http: httpLimits(values),
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === "EADDRINUSE") throw new CliError(`port ${values.port ?? DEFAULT_PORT} is in use`, "pass --port P (0 picks a free one)");
      throw new CliError(err.message ?? String(e));
    }
    io.stdout(`canary node: ${node.url} · network ${node.network} · height ${node.height} · ${db !== undefined ? `db ${db}` : "in memory"}\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    await node.close();
    io.stdout(`canary node: stopped at height ${node.height}\n`);
    return EXIT.ok;
  },
};
