// Small statistics for benchmark rounds.

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Relative spread of the rounds: (max − min) / median. */
export function spread(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  return (Math.max(...xs) - Math.min(...xs)) / median(xs);
}

/** Nanoseconds per iteration of `body` run `n` times. */
export function nsPerOp(n: number, body: (i: number) => void): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) body(i);
  return Number(process.hrtime.bigint() - t0) / n;
}
