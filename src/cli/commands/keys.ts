// canary keys: see src/node/cli.ts and docs/NODE.md.
export { keysCommand } from "../../node/cli.ts";
