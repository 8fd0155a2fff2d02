const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Parses `250ms`, `2s`, `1.5m`, `24h`, `7d` (or a bare number of milliseconds) into milliseconds. */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new TypeError(`invalid duration ${input}`)
    return input
  }
  // A template literal of a client's nested array recurses (60k deep: RangeError): type first.
  if (typeof input !== 'string')
    throw new TypeError('invalid duration (use a string such as 250ms, 2s, 24h, 7d, or a number of milliseconds)')
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(input)
  if (!m)
    throw new TypeError(
      `invalid duration "${input.length > 64 ? `${input.slice(0, 64)}…` : input}" (use e.g. 250ms, 2s, 24h, 7d)`,
    )
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!)
}

/** The inverse of parseDuration for log lines and --help: the largest exact unit. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`
  }
  return `${ms}ms`
}
