// Kept for existing imports: the statistics helpers live in statistics.ts.
export { sequentialConstants, sequentialPolicy, type SequentialConstants } from "./statistics.ts";
