// The named accounts of the tests: 20 bytes filled with one byte, easy to read in failures.

/** A 20-byte account filled with one byte. */
export function account(fill: number): Uint8Array {
  return new Uint8Array(20).fill(fill);
}

export const ADMIN = account(0xa1);
export const ADMIN2 = account(0xa2);
export const OPERATOR = account(0x0b);
export const GUARDIAN = account(0x6d);
export const REPORTER = account(0x7e);
export const OUTSIDER = account(0xee);
/** The all-zero account: onPersist's sender, and views' without one. */
export const ZERO = account(0);
