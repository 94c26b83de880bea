// runVerify (npm run verify, later `canary verify`): one OK/FAIL line per module, one line per
// problem, exit status 1 on any problem.

import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_VERIFY_TARGETS, parseVerifyArgs, runVerify } from "../../src/verify/cli.ts";
import { sha256Hex } from "../../src/verify/gate.ts";
import { passingWat, tempDir, watToBytes } from "./helpers.ts";

let dir = "";
let cleanup: () => Promise<void> = async () => {};
const files: Record<string, Uint8Array> = {};

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("verify-cli"));
  files["good.wasm"] = await watToBytes(passingWat());
  files["abort.wasm"] = await watToBytes(passingWat("", { imports: `(import "env" "abort" (func (param i32 i32 i32 i32)))` }));
  files["bad.wasm"] = await watToBytes(passingWat(`(func $s) (start $s)`, { omit: ["init"] }));
  for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(dir, name), bytes);
});
afterAll(() => cleanup());

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), cwd: dir } };
}

describe("runVerify", () => {
  it("prints OK <path> <bytes> bytes sha256 <hex> and returns 0 when every module passes", async () => {
    const c = capture();
    expect(await runVerify(["good.wasm"], c.io)).toBe(0);
    const bytes = files["good.wasm"]!;
    expect(c.out.join("")).toBe(`OK good.wasm ${bytes.length} bytes sha256 ${sha256Hex(bytes)}\n`);
    expect(c.err).toEqual([]);
  });

  it("prints FAIL and every problem by rule and detail, and returns 1", async () => {
    const c = capture();
    expect(await runVerify(["good.wasm", "bad.wasm"], c.io)).toBe(1);
    const lines = c.out.join("").trimEnd().split("\n");
    expect(lines[0]).toMatch(/^OK good\.wasm /);
    expect(lines[1]).toMatch(/^FAIL bad\.wasm \d+ bytes sha256 [0-9a-f]{64}$/);
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(/^ {2}export-missing: method "init" is not exported$/),
      expect.stringMatching(/^ {2}start-function: /),
    ]);
    expect(c.err.join("")).toMatch(/1 of 2 module\(s\) failed \(2 problems\)/);
  });

  it("allows env.abort only for a debug build", async () => {
    const release = capture();
    expect(await runVerify(["abort.wasm"], release.io)).toBe(1);
    expect(release.out.join("")).toMatch(/import-not-allowed: env\.abort/);
    const debug = capture();
    expect(await runVerify([{ path: "abort.wasm", debug: true }], debug.io)).toBe(0);
  });

  it("reports an unreadable file as a failure", async () => {
    const c = capture();
    expect(await runVerify(["missing.wasm"], c.io)).toBe(1);
    expect(c.out.join("")).toMatch(/^FAIL missing\.wasm\n {2}unreadable: /);
  });
});

describe("parseVerifyArgs", () => {
  it("defaults to the release and debug builds of the project", () => {
    const args = parseVerifyArgs([], "/project");
    if ("error" in args) throw new Error(args.error);
    expect(args.targets.map((t) => [path.resolve(t.path), t.debug ?? false])).toEqual(
      DEFAULT_VERIFY_TARGETS.map((t) => [path.resolve("/project", t.path), t.debug ?? false]),
    );
  });

  it("takes paths, --debug and --allow-import; rejects unknown options", () => {
    const args = parseVerifyArgs(["--debug", "--allow-import", "host.gas", "a.wasm", "b.wasm"], "/project");
    expect(args).toEqual({
      targets: [
        { path: "a.wasm", debug: true, allowImports: ["host.gas"] },
        { path: "b.wasm", debug: true, allowImports: ["host.gas"] },
      ],
    });
    expect(parseVerifyArgs(["--allow-import"], "/p")).toHaveProperty("error");
    expect(parseVerifyArgs(["--nope"], "/p")).toHaveProperty("error");
  });
});
