// canary tx: see src/node/cli.ts and docs/NODE.md.
export { txCommand } from "../../node/cli.ts";
