// canary tx METHOD ARGS_JSON --key NAME: signs a transaction with a key of the keystore and
// sends it to a node (docs/NODE.md).

import path from "node:path";
import { NodeRpc, Wallet } from "../../node/client.ts";
import { Keystore, defaultKeystorePath } from "../../node/keystore.ts";
import { parseCommandLine, type Command } from "../command.ts";
import { EXIT, UsageError } from "../errors.ts";
import type { CliIO } from "../io.ts";
import { DEFAULT_URL, encodeJsonArgs, methodArg, rpcFailure } from "../rpc.ts";

const usage = `usage: canary tx METHOD ARGS_JSON --key NAME [--node URL] [--keystore FILE] [--no-wait]

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
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandLine(argv, {
      key: { type: "string" },
      node: { type: "string" },
      keystore: { type: "string" },
      "no-wait": { type: "boolean" },
    });
    if (values.help) {
      io.stdout(usage);
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
