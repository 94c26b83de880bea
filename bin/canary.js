#!/usr/bin/env node
// The `canary` command: registers tsx so Node can load the TypeScript sources, then runs
// src/cli/main.ts. `npx canary …` inside this checkout (or `npm link`) finds it through
// package.json's "bin".
import { register } from "tsx/esm/api";

// Tells src/verify/toolchain.ts that tsx's loader is active (it then loads binaryen natively).
process.env.CANARY_TSX_REGISTERED = "1";
register();
await import("../src/cli/main.ts");
