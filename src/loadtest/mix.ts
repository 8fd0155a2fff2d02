import { seededRandom } from '../util/seededRandom.js'
import type { LoadtestKind } from './options.js'

/** The cases each kind knows, in the order reports list them. */
export const CASES = {
  checker: ['valid', 'forged', 'expired', 'same-timestamp', 'unknown-chain', 'future'],
  ingress: ['plain', 'valid', 'forged'],
  builder: ['valid', 'malformed'],
} as const satisfies Record<LoadtestKind, readonly string[]>

/** Mostly valid, every refusal present: a run of 2,000 bodies holds each case at least 20 times. */
export const DEFAULT_MIX: Record<LoadtestKind, string> = {
  checker: 'valid=90,forged=4,expired=2,same-timestamp=1,unknown-chain=1,future=2',
  ingress: 'plain=50,valid=40,forged=10',
  builder: 'valid=90,malformed=10',
}

export type Mix = ReadonlyMap<string, number>

/** `valid=80,forged=10,...` → weights (case → share of 1). Throws an Error worded for --mix. */
export function parseMix(kind: LoadtestKind, text: string | undefined): Mix {
  const known: readonly string[] = CASES[kind]
  const weights = new Map<string, number>()
  for (const part of (text ?? DEFAULT_MIX[kind]).split(',')) {
    const m = /^\s*([a-z-]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(part)
    if (!m) throw new Error(`expected CASE=WEIGHT, got ${JSON.stringify(part)}`)
    if (!known.includes(m[1]!)) throw new Error(`unknown ${kind} case "${m[1]}" (known: ${known.join(', ')})`)
    if (weights.has(m[1]!)) throw new Error(`case "${m[1]}" given twice`)
    weights.set(m[1]!, Number(m[2]))
  }
  const total = [...weights.values()].reduce((a, b) => a + b, 0)
  if (total <= 0) throw new Error('the weights add up to 0')
  return new Map([...weights].filter(([, w]) => w > 0).map(([c, w]) => [c, w / total]))
}

/**
 * `n` cases in the mix's proportions, exactly (largest remainder), interleaved by a seeded shuffle so
 * that any stretch of a run, not only the whole of it, carries the mix.
 */
export function planCases(mix: Mix, n: number, seed = 1): string[] {
  const entries = [...mix]
  const counts = entries.map(([, w]) => Math.floor(w * n))
  let left = n - counts.reduce((a, b) => a + b, 0)
  const order = entries.map(([, w], i) => [w * n - Math.floor(w * n), i] as const).sort((a, b) => b[0] - a[0])
  for (const [, i] of order) {
    if (left-- <= 0) break
    counts[i]!++
  }
  const out = entries.flatMap(([c], i) => Array<string>(counts[i]!).fill(c))
  const random = seededRandom(seed)
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
