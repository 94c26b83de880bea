// Issue #17, item 5: scenario files have limits. A huge file or a YAML alias bomb is refused
// with exit 2 and one line naming the limit, in milliseconds and bounded memory.
import { spawnSync } from "node:child_process";
import { truncateSync, writeFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../cli/helpers.ts";
import { ROOT } from "../replay/helpers.ts";
import { tempDir } from "./_helpers.ts";

const billionLaughs = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
  "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
  "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
  "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
  "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
  "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
  "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]",
  "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]",
  "",
].join("\n");

describe("item 5: scenario input limits", () => {
  it("a 50 MB scenario used to run V8 out of memory (exit 134 after 4.35 GB); now refused before it is read: exit 2, one line naming --max-scenario-bytes", async () => {
    const file = path.join(tempDir("redteam"), "huge.yaml");
    writeFileSync(file, "");
    truncateSync(file, 50 * 1024 * 1024); // sparse: 50 MB of zeros
    const t = Date.now();
    const r = await cli(["replay", file]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/is 52428800 bytes, over the 4194304-byte limit on scenario files \(--max-scenario-bytes N raises it\)/);
    expect(Date.now() - t).toBeLessThan(5_000);
  });

  it("--max-scenario-bytes lowers or raises the cap", async () => {
    const small = await cli(["replay", "scenarios/held-canary-25.yaml", "--max-scenario-bytes", "100", "--json", "--blocks", "none"]);
    expect(small.status).toBe(2);
    expect(small.stderr).toMatch(/over the 100-byte limit/);
    const size = readFileSync(path.join(ROOT, "scenarios/held-canary-25.yaml")).length;
    const ok = await cli(["replay", "scenarios/held-canary-25.yaml", "--max-scenario-bytes", String(size), "--json", "--blocks", "none"]);
    expect(ok.stderr).not.toMatch(/limit/);
  });

  it("a YAML alias bomb (billion laughs) used to exit 70 with a stack trace; now exit 2, one line naming the alias limit", async () => {
    const file = path.join(tempDir("redteam"), "bomb.yaml");
    writeFileSync(file, billionLaughs);
    const r = await cli(["replay", file]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/its YAML aliases expand past 1000 nodes \(the limit on alias expansion/);
  });

  it("in a real process with a 256 MB heap both are refused (bounded memory)", () => {
    const dir = tempDir("redteam");
    const huge = path.join(dir, "huge.yaml");
    writeFileSync(huge, "");
    truncateSync(huge, 50 * 1024 * 1024);
    const bomb = path.join(dir, "bomb.yaml");
    writeFileSync(bomb, billionLaughs);
    for (const f of [huge, bomb]) {
      const p = spawnSync(process.execPath, ["--max-old-space-size=256", "--import", "tsx", path.join(ROOT, "src/cli/main.ts"), "replay", f], { cwd: ROOT, encoding: "utf8", timeout: 30_000 });
      expect(p.status, p.stderr).toBe(2);
      expect(p.stderr).toMatch(/limit/);
    }
  }, 60_000);
});
