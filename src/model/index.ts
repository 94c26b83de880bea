// The reference model (SPEC sections 2–6 + docs/DESIGN.md): see docs/VERIFICATION.md.
export * from "./model.ts";
export { murmur3_32, bucket } from "./murmur.ts";
