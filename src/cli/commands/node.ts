// canary node: see src/node/cli.ts and docs/NODE.md.
export { nodeCommand } from "../../node/cli.ts";
