/**
 * The reorg-window simulation of docs/measurements.md (d). An interop transaction is checked at the
 * ingress at t = 0 and included at t = W (W drawn from the inclusion times measured under the
 * scenarios' traffic). The initiating message it executes is removed by a remote unsafe reorg at the
 * first arrival of a Poisson process of rate λ. The sweep re-checks the pool every S seconds (random
 * phase). A reorg in (0, W) followed by a sweep before W is caught by the sweep (evicted); one after
 * the last sweep before W is caught only by a check at block building. Before 0 the ingress catches it.
 */
export type ReorgRow = {
  reorgsPerHour: number
  /** Per interop transaction: the reorg fell in its window at all. */
  inWindow: number
  /** Caught by the sweep (a re-check between the reorg and inclusion). */
  sweep: number
  /** Caught only by a builder-time check (no sweep between the reorg and inclusion). */
  builderOnly: number
  /** builderOnly per million interop transactions. */
  builderOnlyPerMillion: number
}

/** mulberry32: a seeded generator, so the document regenerates the same numbers from the same inputs. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function simulateReorgWindow(o: {
  windowsMs: readonly number[]
  sweepIntervalMs: number
  reorgsPerHour: readonly number[]
  trials: number
  seed?: number
}): ReorgRow[] {
  const rand = rng(o.seed ?? 1)
  return o.reorgsPerHour.map((perHour) => {
    const lambda = perHour / 3_600_000 // per ms
    // Per trial, exactly (no rare event to sample): with L the last sweep before W (0 when none),
    // P(sweep) = 1 − e^(−λL), P(builder only) = e^(−λL) − e^(−λW).
    let inWindow = 0
    let sweep = 0
    let builderOnly = 0
    for (let k = 0; k < o.trials; k++) {
      const w = o.windowsMs[Math.floor(rand() * o.windowsMs.length)]!
      const phase = rand() * o.sweepIntervalMs
      const last = phase < w ? phase + Math.floor((w - phase) / o.sweepIntervalMs - 1e-9) * o.sweepIntervalMs : 0
      const l = Math.max(0, Math.min(last, w))
      inWindow += 1 - Math.exp(-lambda * w)
      sweep += 1 - Math.exp(-lambda * l)
      builderOnly += Math.exp(-lambda * l) - Math.exp(-lambda * w)
    }
    return {
      reorgsPerHour: perHour,
      inWindow: inWindow / o.trials,
      sweep: sweep / o.trials,
      builderOnly: builderOnly / o.trials,
      builderOnlyPerMillion: Math.round((builderOnly / o.trials) * 1e6 * 100) / 100,
    }
  })
}
