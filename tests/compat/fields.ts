// Field-by-field comparison of a view with a store fixture's expectations (tests/fixtures/stores).

import { expect } from "vitest";

/**
 * Expects `actual` to have every field of `expected` with the same value, recursively:
 * objects by the expected keys (extra keys in `actual` are allowed: appended fields), arrays
 * element by element with the same length, everything else equal.
 */
export function expectFields(actual: unknown, expected: unknown, path = "$"): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${path} is an array`).toBe(true);
    const a = actual as unknown[];
    expect(a.length, `${path}.length`).toBe(expected.length);
    expected.forEach((e, i) => expectFields(a[i], e, `${path}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === "object") {
    expect(actual !== null && typeof actual === "object" && !Array.isArray(actual), `${path} is an object`).toBe(true);
    for (const [k, e] of Object.entries(expected)) {
      expect(Object.hasOwn(actual as object, k), `${path}.${k} is present`).toBe(true);
      expectFields((actual as Record<string, unknown>)[k], e, `${path}.${k}`);
    }
    return;
  }
  expect(actual, path).toEqual(expected);
}
