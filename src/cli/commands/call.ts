// canary call: see src/node/cli.ts and docs/NODE.md.
export { callCommand } from "../../node/cli.ts";
