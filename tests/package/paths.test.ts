// Where the package finds its own files, and what a missing optional peer dependency says —
// in the checkout; tests/package/pack.test.ts shows both from the installed package.

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/paths.ts";
import { tempDir } from "../helpers/temp.ts";
import { METERED_WASM, PACKAGE_JSON, PACKAGE_ROOT, RELEASE_WASM } from "../../src/packageRoot.ts";
import { DEFAULT_WASM as CLI_DEFAULT_WASM, PROJECT_ROOT, scenarioFile } from "../../src/cli/paths.ts";
import { DEFAULT_WASM as NODE_DEFAULT_WASM } from "../../src/node/node.ts";
import { MissingDependencyError, importOptional, pinnedVersion } from "../../src/optionalDependencies.ts";

describe("the package root", () => {
  it("is the directory of the package.json named onchain-canary, for the CLI and the node alike", () => {
    expect(PACKAGE_ROOT).toBe(ROOT);
    expect(PACKAGE_JSON.name).toBe("onchain-canary");
    expect(PROJECT_ROOT).toBe(ROOT);
    expect(RELEASE_WASM).toBe(path.join(ROOT, "build", "canary.wasm"));
    expect(CLI_DEFAULT_WASM).toBe(METERED_WASM);
    expect(NODE_DEFAULT_WASM).toBe(METERED_WASM);
  });
});

describe("scenarioFile", () => {
  const shipped = path.join(ROOT, "scenarios", "held-canary-25.yaml");

  it("finds a scenario the package ships by scenarios/NAME.yaml, NAME.yaml or NAME from any directory", () => {
    const elsewhere = tempDir("scenario");
    for (const name of ["scenarios/held-canary-25.yaml", "held-canary-25.yaml", "held-canary-25", "./scenarios/held-canary-25.yaml"]) {
      expect(scenarioFile(name, elsewhere), name).toBe(shipped);
    }
  });

  it("prefers a file of that name in the working directory", () => {
    const cwd = tempDir("scenario");
    mkdirSync(path.join(cwd, "scenarios"));
    writeFileSync(path.join(cwd, "scenarios", "held-canary-25.yaml"), "mine");
    expect(scenarioFile("scenarios/held-canary-25.yaml", cwd)).toBe(path.join(cwd, "scenarios", "held-canary-25.yaml"));
  });

  it("leaves anything else as given: absolute paths, names that are not shipped, paths out of scenarios/", () => {
    const cwd = tempDir("scenario");
    expect(scenarioFile("/nowhere/held-canary-25.yaml", cwd)).toBe("/nowhere/held-canary-25.yaml");
    expect(scenarioFile("nope.yaml", cwd)).toBe(path.join(cwd, "nope.yaml"));
    expect(scenarioFile("../package.json", cwd)).toBe(path.resolve(cwd, "../package.json"));
    expect(scenarioFile("scenarios/../package.json", cwd)).toBe(path.resolve(cwd, "package.json"));
  });
});

describe("importOptional", () => {
  it("turns Node's 'cannot find package' for the named package into MissingDependencyError with the pinned version", async () => {
    const e = await importOptional("binaryen", "canary verify", () => import("no-such-package-for-this-test" as string), ["no-such-package-for-this-test"]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MissingDependencyError);
    const m = e as MissingDependencyError;
    expect(m.message).toBe("canary verify needs binaryen, an optional peer dependency of onchain-canary that is not installed");
    expect(m.installCommand).toBe(`npm install binaryen@${PACKAGE_JSON.peerDependencies!.binaryen}`);
    expect(pinnedVersion("binaryen")).toBe(PACKAGE_JSON.devDependencies!.binaryen);
  });

  it("passes any other failure through: another missing package, an error inside the package", async () => {
    const other = await importOptional("binaryen", "canary verify", () => import("no-such-package-for-this-test" as string)).catch((x: unknown) => x);
    expect(other).not.toBeInstanceOf(MissingDependencyError);
    expect((other as { code?: string }).code).toBe("ERR_MODULE_NOT_FOUND");
    const inside = new Error("boom");
    await expect(importOptional("binaryen", "canary verify", () => Promise.reject(inside))).rejects.toBe(inside);
    expect(await importOptional("binaryen", "canary verify", () => Promise.resolve(42))).toBe(42);
  });
});
