// The node's commands for the `canary` CLI: `canary node`, `canary tx`, `canary call`
// (registered by src/cli/commands/{node,tx,call}.ts). docs/NODE.md describes them.

import path from "node:path";
import { encodeArgs } from "../client/index.ts";
import { METHODS, type MethodName } from "../abi/methods.ts";
import { parseCommandLine, type Command } from "../cli/command.ts";
import { CliError, EXIT, UsageError } from "../cli/errors.ts";
import type { CliIO } from "../cli/io.ts";
import { NodeRpc, Wallet } from "./client.ts";
import { RpcError } from "./errors.ts";
import { Keystore, KeystoreError, defaultKeystorePath } from "./keystore.ts";
import { HTTP_FLAGS, httpLimits } from "./flags.ts";
import { startNode } from "./node.ts";

export const DEFAULT_PORT = 20332;
const DEFAULT_URL = `http://127.0.0.1:${DEFAULT_PORT}`;

function intOption(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`--${name} must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** ARGS_JSON: u64 fields may be JSON numbers (safe integers) or decimal strings. */
function encodeJsonArgs(method: MethodName, text: string): Uint8Array {
  let value: unknown;
  try {
    value = JSON.parse(text, (_k, v) => (typeof v === "string" && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v));
  } catch (e) {
    throw new CliError(`ARGS_JSON is not JSON: ${(e as Error).message}`, `e.g. '{"name":"my_feature"}'`);
  }
  try {
    return encodeArgs(method, value);
  } catch (e) {
    throw new CliError(`arguments of ${method}: ${(e as Error).message}`, "see docs/ABI.md for each method's arguments (u64 values beyond 2^53 as \"123n\")");
  }
}

function methodArg(m: string | undefined, kind: "tx" | "call"): MethodName {
  if (m === undefined) throw new UsageError("METHOD is missing");
  if (!Object.prototype.hasOwnProperty.call(METHODS, m) || m === "onPersist") {
    throw new CliError(`unknown method ${JSON.stringify(m)}`, `methods: ${Object.keys(METHODS).filter((n) => n !== "onPersist").join(", ")}`);
  }
  const view = METHODS[m as MethodName].view;
  if (kind === "tx" && view) throw new CliError(`${m} is a view`, `use: canary call ${m} ARGS_JSON`);
  if (kind === "call" && !view) throw new CliError(`${m} is not a view`, `send it: canary tx ${m} ARGS_JSON --key NAME`);
  return m as MethodName;
}

function rpcFailure(e: unknown): never {
  if (e instanceof RpcError) throw new CliError(`the node refused it: ${e.message} (JSON-RPC error ${e.code})`);
  if (e instanceof KeystoreError) throw new CliError(e.message, e.code === "MALFORMED" ? "fix or move the file; canary never rewrites a malformed keystore" : undefined);
  if (e instanceof Error && e.message.startsWith("cannot reach the node")) throw new CliError(e.message, "start one with `canary node`, or pass --node URL");
  throw e;
}

const nodeUsage = `usage: canary node [--db DIR [--rebuild] [--verify-all]] [--port P] [--block-time MS] [--max-tx N] [--gas-limit N] [--network MAGIC] [--wasm PATH]

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
  usage: nodeUsage,
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
      io.stdout(nodeUsage);
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

const txUsage = `usage: canary tx METHOD ARGS_JSON --key NAME [--node URL] [--keystore FILE] [--no-wait]

Signs METHOD(ARGS_JSON) with key NAME of the keystore (created there on first use), sends
it to the node and waits for the block that includes it. Prints the receipt as JSON; the
exit status is 0 for HALT, 1 for FAULT.

  ARGS_JSON        the method's arguments as a JSON object, e.g. '{"name":"f","bps":500}'
  --key NAME       the signing key (its account is the sender)
  --node URL       default ${DEFAULT_URL}
  --keystore FILE  default $CANARY_KEYSTORE or ~/.canary/keys.json
  --no-wait        print the hash once the node accepts it
`;

export const txCommand: Command = {
  name: "tx",
  summary: "sign and send a transaction to a node",
  usage: txUsage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandLine(argv, {
      key: { type: "string" },
      node: { type: "string" },
      keystore: { type: "string" },
      "no-wait": { type: "boolean" },
    });
    if (values.help) {
      io.stdout(txUsage);
      return EXIT.ok;
    }
    if (positionals.length !== 2) throw new UsageError(`tx needs METHOD and ARGS_JSON, got ${positionals.length} argument(s)`);
    if (values.key === undefined) throw new UsageError("--key NAME is required");
    const method = methodArg(positionals[0], "tx");
    const args = encodeJsonArgs(method, positionals[1]!);
    const rpc = new NodeRpc(values.node ?? DEFAULT_URL);
    try {
      const store = Keystore.load(values.keystore !== undefined ? path.resolve(io.cwd, values.keystore) : defaultKeystorePath(), { create: true });
      const { key, created } = store.getOrCreate(values.key);
      if (created) io.stderr(`canary tx: created key ${values.key} (account ${key.accountHex}) in ${store.file}\n`);
      const { hash } = await new Wallet(rpc, [key]).send([key], method, args);
      if (values["no-wait"]) {
        io.stdout(JSON.stringify({ hash, status: "pending" }) + "\n");
        return EXIT.ok;
      }
      const t = await rpc.waitForTransaction(hash);
      io.stdout(JSON.stringify({ hash: t.hash, height: t.height, status: t.status, code: t.code, error: t.error, result: t.result, events: t.events, ...(t.trap ? { trap: t.trap } : {}) }, null, 2) + "\n");
      return t.status === "HALT" ? EXIT.ok : EXIT.failed;
    } catch (e) {
      return rpcFailure(e);
    } finally {
      rpc.close();
    }
  },
};

const callUsage = `usage: canary call METHOD ARGS_JSON [--node URL] [--sender ACCOUNT]

Runs a view of the contract on the node's latest committed block (no transaction) and
prints the result as JSON; the exit status is 1 when the view returns an error code.

  --node URL        default ${DEFAULT_URL}
  --sender ACCOUNT  the caller the view sees (0x + 40 hex; default all zero)
`;

export const callCommand: Command = {
  name: "call",
  summary: "run a read-only view on a node",
  usage: callUsage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandLine(argv, { node: { type: "string" }, sender: { type: "string" } });
    if (values.help) {
      io.stdout(callUsage);
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

const keysUsage = `usage: canary keys new NAME [--keystore FILE]
       canary keys list [--keystore FILE]

Manages the local keystore that \`canary tx --key NAME\` signs with (docs/NODE.md).

  new NAME          create a P-256 key named NAME and print its account
  list              print every key's name and account
  --keystore FILE   default $CANARY_KEYSTORE, else ~/.canary/keys.json
`;

export const keysCommand: Command = {
  name: "keys",
  summary: "create and list the keys of the local keystore",
  usage: keysUsage,
  run(argv: string[], io: CliIO): number {
    const { values, positionals } = parseCommandLine(argv, { keystore: { type: "string" } });
    if (values.help) {
      io.stdout(keysUsage);
      return EXIT.ok;
    }
    const file = values.keystore !== undefined ? path.resolve(io.cwd, values.keystore) : defaultKeystorePath();
    const [action, name, ...rest] = positionals;
    try {
      if (action === "new" && name !== undefined && rest.length === 0) {
        const key = Keystore.load(file, { create: true }).create(name);
        io.stdout(`${name} ${key.accountHex}\n`);
        return EXIT.ok;
      }
      if (action === "list" && name === undefined) {
        const store = Keystore.load(file);
        for (const n of store.names()) io.stdout(`${n} ${store.get(n).accountHex}\n`);
        return EXIT.ok;
      }
    } catch (e) {
      return rpcFailure(e);
    }
    throw new UsageError(`keys needs \`new NAME\` or \`list\`, got ${positionals.length ? positionals.join(" ") : "nothing"}`);
  },
};
