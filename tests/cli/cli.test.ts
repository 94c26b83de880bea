// `canary` commands in-process: exit statuses, messages that say how to fix things, output.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/temp.ts";
import { LINE_FIELDS } from "../../src/replay/lines.ts";
import { FIXTURES, ROOT } from "../replay/helpers.ts";
import { cli } from "./helpers.ts";

const tmp = tempDir("cli");

describe("canary replay", () => {
  it("exits 0 and prints the closing table when every expectation holds", async () => {
    const r = await cli(["replay", "scenarios/held-canary-25.yaml"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/eu_fee_market +Canary +2500 +2500 +2 +300, 400 +—/);
    expect(r.stdout).toContain("expectations: 12 passed, 0 failed");
  });

  it("resolves FILE against the working directory", async () => {
    const r = await cli(["replay", "small.yaml"], { cwd: FIXTURES });
    expect(r.status).toBe(0);
  });

  it("--json writes only JSON lines with REPLAY.md's fields", async () => {
    const r = await cli(["replay", "tests/replay/fixtures/small.yaml", "--json"]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as { type: keyof typeof LINE_FIELDS });
    for (const l of lines) expect(Object.keys(l)).toEqual(LINE_FIELDS[l.type]);
    expect(lines.at(-1)!.type).toBe("summary");
    expect(new Set(lines.map((l) => l.type))).toEqual(new Set(["tx", "block", "expect", "summary"]));
  });

  it("--blocks all|changed|none chooses the block lines", async () => {
    const count = async (mode: string) => {
      const r = await cli(["replay", "tests/replay/fixtures/small.yaml", "--json", "--blocks", mode]);
      expect(r.status).toBe(0);
      return r.stdout.split("\n").filter((l) => l.startsWith('{"type":"block"')).length;
    };
    expect(await count("all")).toBe(60);
    const changed = await count("changed");
    expect(changed).toBeGreaterThan(40);
    expect(changed).toBeLessThan(60);
    expect(await count("none")).toBe(0);
  });

  it("exits 1 when an expectation fails, saying which (height, what, expected, got)", async () => {
    const r = await cli(["replay", "tests/replay/fixtures/false-expectation.yaml"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "expectation failed at height 30: getFeature small_feature status=RollingOut rolloutBps=5000\n" +
        "  expected status=RollingOut rolloutBps=5000\n" +
        "  got      status=RollingOut rolloutBps=3000\n" +
        "1 of 2 expectation(s) failed\n",
    );
    // The run still went to the end and printed its table.
    expect(r.stdout).toContain("expectations: 1 passed, 1 failed");
  });

  it("exits 1 with --json too; stdout stays pure JSON", async () => {
    const r = await cli(["replay", "tests/replay/fixtures/false-expectation.yaml", "--json", "--blocks", "none"]);
    expect(r.status).toBe(1);
    for (const l of r.stdout.trimEnd().split("\n")) JSON.parse(l);
    expect(r.stdout).toContain('{"type":"expect","height":30,"ok":false,"what":"getFeature small_feature status=RollingOut rolloutBps=5000 (got status=RollingOut rolloutBps=3000)"}');
    expect(r.stderr).toContain("expectation failed at height 30");
  });

  it("exits 2 for an invalid scenario, naming the file, the line, the path and what was expected", async () => {
    const r = await cli(["replay", "tests/replay/fixtures/invalid-bps.yaml"]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("canary replay: the scenario was refused (1 problem; nothing ran):");
    expect(r.stderr).toContain('tests/replay/fixtures/invalid-bps.yaml:14: blocks[1].txs[0].args.bps: expected u16 (an integer 0..65535), got "5 %"');
    expect(r.stderr).toContain("→ fix the scenario");
  });

  it("exits 2 for a missing scenario file", async () => {
    const r = await cli(["replay", "nope.yaml"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("nope.yaml: no such file");
  });

  it("exits 2 for a missing or broken module, saying how to build one", async () => {
    const missing = await cli(["replay", "tests/replay/fixtures/small.yaml", "--wasm", "build/nope.wasm"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("the module was refused: build/nope.wasm: no such file");
    expect(missing.stderr).toContain("run `npm run build`");
    const broken = await cli(["replay", "tests/replay/fixtures/small.yaml", "--wasm", "tests/replay/fixtures/small.yaml"]);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toContain("not a loadable contract module");
  });

  it("refuses an empty --db (exit 2); --db itself is tested in db.test.ts", async () => {
    const r = await cli(["replay", "tests/replay/fixtures/small.yaml", "--db", ""]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--db needs a DIR");
  });

  it("refuses bad usage with the command's usage (exit 2)", async () => {
    for (const args of [["replay"], ["replay", "a.yaml", "b.yaml"], ["replay", "a.yaml", "--blocks", "some"], ["replay", "a.yaml", "--jsn"]]) {
      const r = await cli(args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toContain("usage: canary replay FILE");
    }
  });

  it("--report writes a self-contained page and says where", async () => {
    const out = path.join(tmp, "r.html");
    const r = await cli(["replay", "tests/replay/fixtures/small.yaml", "--report", out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`report: ${out}`);
    const html = readFileSync(out, "utf8");
    expect(html).toContain('<svg class="chart"');
    expect(html).not.toMatch(/https?:/);
  });

  it("says how to fix an unwritable --report", async () => {
    const r = await cli(["replay", "tests/replay/fixtures/small.yaml", "--report", path.join(tmp, "no", "such", "dir.html")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("cannot write the report");
  });
});

describe("canary bucket", () => {
  it("prints the contract's bucket (SPEC section 4 vectors)", async () => {
    expect(await cli(["bucket", "vita_recovery_v2", "0x0000000000000000000000000000000000000000"])).toEqual({ status: 0, stdout: "6765\n", stderr: "" });
    expect((await cli(["bucket", "vita_recovery_v2", "0xffffffffffffffffffffffffffffffffffffffff"])).stdout).toBe("3183\n");
    expect((await cli(["bucket", "cross_chain_proofs", "0x0000000000000000000000000000000000000000"])).stdout).toBe("2585\n");
  });

  it("uses --salt instead of the name", async () => {
    const r = await cli(["bucket", "anything", "0x0102030405060708090a0b0c0d0e0f1011121314", "--salt", "vita_recovery_v2"]);
    expect(r).toEqual({ status: 0, stdout: "83\n", stderr: "" });
  });

  it("explains a bad name, account or salt (exit 2)", async () => {
    const name = await cli(["bucket", "Bad Name", "0x0000000000000000000000000000000000000000"]);
    expect(name.status).toBe(2);
    expect(name.stderr).toContain("InvalidName");
    expect(name.stderr).toContain("1..64 characters of a-z 0-9 _ . -");
    const account = await cli(["bucket", "f", "0x00"]);
    expect(account.status).toBe(2);
    expect(account.stderr).toContain("ACCOUNT must be 0x + 40 hex digits");
    const salt = await cli(["bucket", "f", "0x0000000000000000000000000000000000000000", "--salt", "s".repeat(65)]);
    expect(salt.status).toBe(2);
    expect(salt.stderr).toContain("a salt is at most 64 bytes");
  });
});

describe("canary verify", () => {
  it("exits 0 on the build", async () => {
    expect(existsSync(path.join(ROOT, "build", "canary.wasm"))).toBe(true);
    const r = await cli(["verify"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^OK build\/canary\.wasm \d+ bytes sha256 [0-9a-f]{64}\nOK build\/canary\.debug\.wasm /);
  }, 120_000);

  it("exits 1 for a module that breaks the rules", async () => {
    const r = await cli(["verify", "tests/replay/fixtures/small.yaml"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL /);
  }, 120_000);
});

describe("help", () => {
  it("canary --help lists the commands (exit 0)", async () => {
    const r = await cli(["--help"]);
    expect(r.status).toBe(0);
    for (const c of ["replay", "verify", "bucket", "inspect"]) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, "m"));
  });

  it("each command has its own help (exit 0)", async () => {
    for (const [cmd, first] of [["replay", "usage: canary replay FILE"], ["verify", "usage: canary verify"], ["bucket", "usage: canary bucket NAME ACCOUNT"]]) {
      const a = await cli([cmd!, "--help"]);
      expect(a.status).toBe(0);
      expect(a.stdout.startsWith(first!)).toBe(true);
      const b = await cli(["help", cmd!]);
      expect(b.stdout).toBe(a.stdout);
    }
  });

  it("no command, or an unknown one, exits 2 with the usage", async () => {
    const none = await cli([]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("usage: canary <command>");
    const unknown = await cli(["replai"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "replai"');
  });

  it("inspect has its help (exit 0); inspect itself is tested in db.test.ts", async () => {
    const r = await cli(["inspect", "--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith("usage: canary inspect --db DIR [FEATURE]")).toBe(true);
  });
});
