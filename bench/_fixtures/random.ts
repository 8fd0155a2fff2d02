export { seededRandom } from '../../src/util/seededRandom.js'

/** An integer in [lo, hi] from `rand`. */
export function between(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1))
}
