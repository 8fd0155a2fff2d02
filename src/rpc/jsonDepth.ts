/**
 * The deepest real payload is an Engine API newPayload in a batch: batch › request › params ›
 * payload › withdrawals › withdrawal = 6 levels; eth_call with state overrides reaches ~7, an
 * interop check 4. 64 is ten times that, and far below what overflows a recursive JSON walk
 * (JSON.stringify of a 60k-deep value throws RangeError; JSON.parse itself is iterative).
 */
export const DEFAULT_MAX_DEPTH = 64

/**
 * True when JSON text nests arrays/objects deeper than `limit`, scanning before JSON.parse:
 * strings are skipped with indexOf (a 64 MiB newPayload is mostly hex strings), so the cost is
 * one pass over the structure, ~0.3 µs for a one-check body. Malformed text answers false and is
 * left to JSON.parse.
 */
export function nestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0
  const n = text.length
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22 /* " */) {
      for (;;) {
        const end = text.indexOf('"', i + 1)
        if (end === -1) return false
        let backslashes = 0
        for (let k = end - 1; text.charCodeAt(k) === 0x5c /* \ */; k--) backslashes++
        i = end
        if (backslashes % 2 === 0) break
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--
    }
  }
  return false
}
