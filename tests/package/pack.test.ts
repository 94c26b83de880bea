// The package as an application gets it: `tsc -p tsconfig.build.json` (what prepack runs after
// `npm run build`, whose modules `npm test` has already built), `npm pack`, then
// `npm install <tarball> --omit=dev` into an empty app in the system's temp dir — no tsx, no
// compiler, no toolchain — and the app runs `npx canary …`, imports the three entry points and
// type-checks against the shipped declarations. binaryen (an optional peer dependency) is
// installed last, from the npm cache, to show `canary verify` before and after.

import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/paths.ts";
import { poll } from "../helpers/process.ts";
import { tempDirHandle } from "../helpers/temp.ts";
import { NodeRpc } from "../../src/node/client.ts";
import { cli } from "../cli/helpers.ts";

interface PackageJson {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
}
const PKG = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as PackageJson;
/** The peers the app installs itself: only the OpenFeature entry point needs them. */
const APP_PEERS = ["@openfeature/server-sdk", "@openfeature/core"];
const OPENFEATURE_SDK = `@openfeature/server-sdk@${PKG.devDependencies["@openfeature/server-sdk"]}`;

/**
 * The environment of a user's shell: without what `npm test` adds about this checkout
 * (npm_config_local_prefix would make `npm install` install into it; npm_package_*,
 * npm_lifecycle_*, INIT_CWD), without NODE_OPTIONS, and without any node_modules/.bin on PATH
 * (so neither tsx nor tsc is at hand). The user's npm settings (cache, registry) stay.
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const checkout = /^npm_(package_|lifecycle_|command$|execpath$|config_local_prefix$|config_call$)|^INIT_CWD$|^NODE_OPTIONS$/;
  for (const [k, v] of Object.entries(process.env)) if (!checkout.test(k)) env[k] = v;
  env.PATH = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((p) => !/node_modules[\\/]\.bin$/.test(p))
    .join(path.delimiter);
  return env;
}
const ENV = userEnv();

function run(cmd: string, args: readonly string[], cwd: string, timeout = 60_000): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env: ENV, encoding: "utf8", timeout });
  if (r.error) throw r.error;
  return r;
}

/** Runs a command that must succeed; returns its stdout. */
function ok(cmd: string, args: readonly string[], cwd: string, timeout?: number): string {
  const r = run(cmd, args, cwd, timeout);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Bytes of every file under `dir`. */
function diskBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += diskBytes(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

/** Names of every package installed under `nodeModules`, at any depth. */
function installedPackages(nodeModules: string, into = new Set<string>()): Set<string> {
  if (!existsSync(nodeModules)) return into;
  for (const e of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith(".")) continue;
    const dirs = e.name.startsWith("@") ? readdirSync(path.join(nodeModules, e.name)).map((n) => path.join(e.name, n)) : [e.name];
    for (const d of dirs) {
      into.add(d.split(path.sep).join("/"));
      installedPackages(path.join(nodeModules, d, "node_modules"), into);
    }
  }
  return into;
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsFiles(path.join(dir, e.name)) : e.name.endsWith(".js") ? [path.join(dir, e.name)] : []));
}

/** The package a bare specifier names ("@scope/name" or "name"). */
const packageOf = (spec: string): string => spec.split("/").slice(0, spec.startsWith("@") ? 2 : 1).join("/");

let work: { dir: string; cleanup: () => void };
let app: string;
let tarball: { filename: string; size: number; unpackedSize: number; files: { path: string }[] };
const installed = () => path.join(app, "node_modules", PKG.name);

beforeAll(() => {
  for (const m of ["canary.wasm", "canary.metered.wasm", "canary.debug.wasm", "canary-cw.wasm"]) {
    expect(existsSync(path.join(ROOT, "build", m)), `build/${m} is missing: run \`npm run build\``).toBe(true);
  }
  work = tempDirHandle("pack");
  // What prepack runs after `npm run build`: dist/ from tsconfig.build.json.
  ok(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", path.join(ROOT, "tsconfig.build.json")], ROOT, 120_000);
  tarball = (JSON.parse(ok("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work.dir], ROOT)) as (typeof tarball)[])[0]!;
  app = path.join(work.dir, "app");
  mkdirSync(app);
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true, type: "module" }, null, 2));
  ok("npm", ["install", path.join(work.dir, tarball.filename), OPENFEATURE_SDK, "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund"], app, 120_000);
}, 180_000);

afterAll(() => work?.cleanup());

describe("npm pack", () => {
  it("ships compiled JavaScript with declarations, the four modules, schema, scenarios, bin and docs — no TypeScript sources, tests or scripts", () => {
    const files = new Set(tarball.files.map((f) => f.path));
    for (const f of [
      "package.json",
      "README.md",
      "bin/canary.js",
      "dist/src/index.js",
      "dist/src/index.d.ts",
      "dist/src/host/index.js",
      "dist/src/host/index.d.ts",
      "dist/src/openfeature/index.js",
      "dist/src/openfeature/index.d.ts",
      "dist/src/cli/main.js",
      "dist/assembly/shared/codes.js",
      "build/canary.wasm",
      "build/canary.metered.wasm",
      "build/canary.debug.wasm",
      "build/canary-cw.wasm",
      "schema/onchain-canary.json",
      "scenarios/vita-recovery-rollout.yaml",
      "docs/NODE.md",
    ]) {
      expect(files.has(f), f).toBe(true);
    }
    const unwanted = [...files].filter((f) => /^(src|tests|scripts|assembly|bench|node_modules)\//.test(f) || (f.endsWith(".ts") && !f.endsWith(".d.ts")) || /^build\/.*\.(wat|stamp|json)$|^build\/\./.test(f) || /\.raw\.wasm$/.test(f));
    expect(unwanted).toEqual([]);
    // The build-time modules stay out of dist (tsconfig.build.json's exclude).
    expect([...files].filter((f) => /^dist\/src\/(bench|abi\/gen)\/|^dist\/src\/(gas\/(build|meter)|verify\/build)\.js$/.test(f))).toEqual([]);
  });

  it("every bare import in dist is a dependency, an optional peer dependency or a Node builtin", () => {
    const allowed = new Set([...Object.keys(PKG.dependencies), ...Object.keys(PKG.peerDependencies)]);
    for (const peer of Object.keys(PKG.peerDependencies)) expect(PKG.peerDependenciesMeta[peer]?.optional, `${peer} is an optional peer`).toBe(true);
    const builtins = new Set(builtinModules);
    const seen = new Map<string, string>();
    const specifier = /(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*["']([^"']+)["']|(?:^|\n)\s*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|\brequire\(\s*["']([^"']+)["']\s*\)/g;
    for (const file of jsFiles(path.join(installed(), "dist"))) {
      for (const m of readFileSync(file, "utf8").matchAll(specifier)) {
        const spec = m[1] ?? m[2] ?? m[3] ?? m[4]!;
        if (spec.startsWith(".") || spec.startsWith("node:") || builtins.has(spec)) continue;
        seen.set(packageOf(spec), path.relative(installed(), file));
      }
    }
    const undeclared = [...seen].filter(([name]) => !allowed.has(name)).map(([name, file]) => `${name} (${file})`);
    expect(undeclared).toEqual([]);
    // The scan sees the lazily loaded optional peers: it reads dynamic imports.
    expect(seen.has("binaryen")).toBe(true);
    expect(seen.has("classic-level")).toBe(true);
  });
});

describe("npm install <tarball> --omit=dev into an empty app", () => {
  it("installs no dev dependency — no tsx, typescript, assemblyscript, binaryen, vitest — and stays small", () => {
    const names = installedPackages(path.join(app, "node_modules"));
    const dev = Object.keys(PKG.devDependencies).filter((d) => !APP_PEERS.includes(d));
    expect(dev).toEqual(expect.arrayContaining(["tsx", "typescript", "assemblyscript", "binaryen", "vitest", "fast-check"]));
    expect([...names].filter((n) => dev.includes(n) || n === "esbuild")).toEqual([]);
    for (const d of Object.keys(PKG.dependencies)) expect(names.has(d), d).toBe(true);
    // 122 MB when the toolchain was a dependency; about 21 MB now (classic-level's prebuilt
    // binaries and zod are most of it).
    expect(diskBytes(path.join(app, "node_modules"))).toBeLessThan(40 * 1024 * 1024);
  });

  it("npx canary --help, a replay and a bucket run with plain node from the installed package", () => {
    expect(ok("npx", ["canary", "--help"], app)).toMatch(/^usage: canary <command>/);
    // A scenario shipped with the package, named as in the checkout: the same summary as the
    // golden transcript stored beside it.
    const lines = ok("npx", ["canary", "replay", "scenarios/vita-recovery-rollout.yaml", "--json", "--blocks", "none"], app).trimEnd().split("\n");
    const golden = JSON.parse(readFileSync(path.join(ROOT, "scenarios", "vita-recovery-rollout.golden.json"), "utf8"));
    expect(JSON.parse(lines.at(-1)!)).toEqual(golden);
    // By its path inside node_modules, and by its bare name.
    const r = run("npx", ["canary", "replay", "node_modules/onchain-canary/scenarios/held-canary-25.yaml"], app);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("expectations: 12 passed, 0 failed");
    expect(ok("npx", ["canary", "replay", "held-canary-25"], app)).toContain("expectations: 12 passed, 0 failed");
    expect(ok("npx", ["canary", "bucket", "vita_recovery_v2", "0x0000000000000000000000000000000000000000"], app)).toBe("6765\n");
    // Five npx processes: ~3 s here, past vitest's default 5 s on a loaded machine.
  }, 60_000);

  it("npx canary lab runs its worker threads on the compiled worker and gives the checkout's numbers", async () => {
    const args = ["lab", "scenarios/lab/regression-5x.yaml", "--runs", "4", "--jobs", "2", "--json"];
    const { elapsedMs: _installedMs, ...installedLab } = JSON.parse(ok("npx", ["canary", ...args], app)) as { elapsedMs: number };
    const checkout = await cli(args);
    expect(checkout.status, checkout.stderr).toBe(0);
    const { elapsedMs: _checkoutMs, ...checkoutLab } = JSON.parse(checkout.stdout) as { elapsedMs: number };
    expect(installedLab).toEqual(checkoutLab);
  }, 30_000);

  it("npx canary node serves JSON-RPC and makes blocks from the installed package", async () => {
    const child = spawn("npx", ["canary", "node", "--port", "0", "--block-time", "20"], { cwd: app, env: ENV, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    // "close", not "exit": npx may exit before the node it started (its child, which shares
    // the stdout pipe) has written its last line; "close" waits until every writer is gone.
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    try {
      await poll(
        "canary node to print its URL",
        () => {
          if (child.exitCode !== null) throw new Error(`canary node did not start: ${out}${err}`);
          return /http:\/\/\S+/.test(out) ? true : undefined;
        },
        20_000,
        20,
        () => `${out}${err}`,
      );
      const rpc = new NodeRpc(out.match(/http:\/\/[^\s·]+/)![0]);
      try {
        const first = await rpc.getHeight();
        await poll("two more blocks", async () => ((await rpc.getHeight()) >= first + 2 ? true : undefined), 10_000, 20);
        expect((await rpc.getInfo()).blockTimeMs).toBe(20);
      } finally {
        rpc.close();
      }
    } finally {
      // npx runs canary in a child of its own: stop the whole group this test started.
      process.kill(-child.pid!, "SIGTERM");
    }
    await exited;
    expect(out).toMatch(/canary node: stopped at height \d+/);
  }, 30_000);

  it("imports onchain-canary, onchain-canary/host and onchain-canary/openfeature from an .mjs file and runs the contract, a node on LevelDB and the provider", async () => {
    writeFileSync(
      path.join(app, "check.mjs"),
      `import { mkdtempSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CanaryClient, NodeKey, NodeRpc, RpcCanaryClient, Wallet, statusName } from "onchain-canary";
import { Chain, MemoryStore, RELEASE_WASM, startNode } from "onchain-canary/host";
import * as openfeature from "onchain-canary/openfeature";
import pkg from "onchain-canary/package.json" with { type: "json" };

const out = { version: pkg.version, releaseWasm: RELEASE_WASM };

// The shipped release module, in-process: a canary at 50 %.
const chain = Chain.fromFile(RELEASE_WASM, new MemoryStore());
const client = new CanaryClient(chain, { height: () => chain.currentHeight });
const admin = "0x00000000000000000000000000000000000000a1";
const accounts = Array.from({ length: 64 }, (_, i) => "0x" + i.toString(16).padStart(40, "0"));
chain.beginBlock(1);
out.init = client.init(admin, admin).codeName;
out.create = client.createFeature(admin, "pkg_check", "installed").codeName;
out.canary = client.startCanary(admin, "pkg_check", 5000).codeName;
chain.endBlock();
out.status = statusName(client.getFeature("pkg_check").status);
out.enabled = accounts.map((a) => client.isEnabled("pkg_check", a));
out.buckets = accounts.map((a) => client.bucketOf("pkg_check", a));

// The devnet node (the shipped metered module) on a LevelDB store, through JSON-RPC.
const dir = mkdtempSync(path.join(tmpdir(), "canary-pack-node-"));
const node = await startNode({ port: 0, blockTimeMs: 20, db: dir });
const key = NodeKey.generate();
const rpc = new NodeRpc(node.url);
const remote = RpcCanaryClient(new Wallet(rpc, [key]));
out.node = {
  init: (await remote.init(key, key.accountHex)).codeName,
  create: (await remote.createFeature(key, "f", "")).codeName,
  enable: (await remote.enable(key, "f")).codeName,
  enabled: await remote.isEnabled("f", key.accountHex),
};
out.openfeature = { names: Object.keys(openfeature).sort() };
if (openfeature.CanaryProvider) {
  const { OpenFeature } = await import("@openfeature/server-sdk");
  await OpenFeature.setProviderAndWait(new openfeature.CanaryProvider({ node: node.url }));
  out.openfeature.value = await OpenFeature.getClient().getBooleanValue("f", false, { targetingKey: key.accountHex });
  await OpenFeature.close();
}
rpc.close();
await node.close();
out.node.leveldb = existsSync(path.join(dir, "chain", "CURRENT"));
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(out));
`,
    );
    const r = run(process.execPath, ["check.mjs"], app);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.version).toBe(PKG.version);
    expect(out.releaseWasm).toBe(path.join(installed(), "build", "canary.wasm"));
    expect([out.init, out.create, out.canary, out.status]).toEqual(["Ok", "Ok", "Ok", "Canary"]);
    // Exposure is bucket < 5000 for every account, and the split is not degenerate.
    expect(out.enabled).toEqual(out.buckets.map((b: number) => b < 5000));
    expect(out.enabled).toContain(true);
    expect(out.enabled).toContain(false);
    expect(out.node).toEqual({ init: "Ok", create: "Ok", enable: "Ok", enabled: true, leveldb: true });
    // The OpenFeature entry exports what src/openfeature/index.ts exports; once that is the
    // provider, a boolean resolution through @openfeature/server-sdk reads the Enabled flag.
    const source = Object.keys(await import("../../src/openfeature/index.ts")).sort();
    expect(out.openfeature.names).toEqual(source);
    if (source.includes("CanaryProvider")) expect(out.openfeature.value).toBe(true);
  }, 60_000);

  // An @ts-expect-error that expects no error is itself an error (TS2578): were the declarations
  // missing or \`any\`, the wrong calls below would type-check and tsc would fail.
  it("a TypeScript file type-checks against the shipped declarations, wrong calls included as errors", () => {
    writeFileSync(
      path.join(app, "check.ts"),
      `import { CanaryClient, NodeRpc, Status, encodeArgs, type FeatureView, type TxResult } from "onchain-canary";
import { Chain, LevelStore, MemoryStore, RELEASE_WASM, startNode, type NodeOptions } from "onchain-canary/host";
import * as openfeature from "onchain-canary/openfeature";

const chain: Chain = Chain.fromFile(RELEASE_WASM, new MemoryStore());
const client = new CanaryClient(chain, { height: () => chain.currentHeight });
const created: TxResult<null> = client.createFeature("0x00000000000000000000000000000000000000a1", "f");
const view: FeatureView | null = client.getFeature("f");
const enabled: boolean = client.isEnabled("f", "0x0000000000000000000000000000000000000001");
const status: number = Status.Canary;
const args: Uint8Array = encodeArgs("startCanary", { name: "f", bps: 500 });
const options: NodeOptions = { port: 0, blockTimeMs: 100 };
const height: Promise<number> = new NodeRpc("http://127.0.0.1:1").getHeight();
const start: (o?: NodeOptions) => Promise<{ url: string; close(): Promise<void> }> = startNode;
void [created, view, enabled, status, args, options, height, start, LevelStore, openfeature];

// @ts-expect-error isEnabled takes the feature's name, not a number
client.isEnabled(42, "0x0000000000000000000000000000000000000001");
// @ts-expect-error startCanary needs the bps
client.startCanary("0x00000000000000000000000000000000000000a1", "f");
`,
    );
    writeFileSync(
      path.join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, types: ["node"], typeRoots: [path.join(ROOT, "node_modules", "@types")] },
        files: ["check.ts"],
      }),
    );
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const r = run(process.execPath, [tsc, "-p", "tsconfig.json"], app);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 60_000);

  it("canary verify without binaryen exits 2 saying which version to install; after `npm install binaryen@<pinned>` it passes", () => {
    const missing = run("npx", ["canary", "verify"], app);
    expect(missing.status).toBe(2);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toBe(
      "canary verify: binaryen is not installed (an optional peer dependency of onchain-canary)\n" +
        `  → run \`npm install binaryen@${PKG.peerDependencies.binaryen}\` in the project that installed onchain-canary (or \`npm install\` in a checkout), then run the command again\n`,
    );
    ok("npm", ["install", `binaryen@${PKG.peerDependencies.binaryen}`, "--prefer-offline", "--no-audit", "--no-fund"], app, 120_000);
    const verified = run("npx", ["canary", "verify"], app);
    expect(verified.stderr).toBe("");
    expect(verified.status).toBe(0);
    const lines = verified.stdout.trimEnd().split("\n");
    expect(lines.map((l) => l.split(" ").slice(0, 2).join(" "))).toEqual([
      "OK node_modules/onchain-canary/build/canary.wasm",
      "OK node_modules/onchain-canary/build/canary.debug.wasm",
      "OK node_modules/onchain-canary/build/canary.metered.wasm",
    ]);
    expect(ok("npx", ["canary", "verify", "--cosmwasm"], app)).toMatch(/^OK node_modules\/onchain-canary\/build\/canary-cw\.wasm \d+ bytes sha256 [0-9a-f]{64} \(CosmWasm\)\n$/);
  }, 120_000);
});
