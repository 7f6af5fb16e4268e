/** Small order statistics for benchmark samples. */

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** Nearest-rank quantile (q in [0, 1]); NaN for no samples. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  if (q <= 0) return s[0];
  const rank = Math.ceil(q * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1];
}

export function max(xs: readonly (number | undefined)[]): number | undefined {
  let m: number | undefined;
  for (const x of xs) if (x !== undefined && (m === undefined || x > m)) m = x;
  return m;
}
