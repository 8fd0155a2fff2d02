import { getPriority, setPriority } from 'node:os'

/**
 * Nice value added to sweep worker threads. On Linux a thread's nice value is its own, so this
 * lowers the workers only: when they and the main thread (the ingress, the sequencer) want the
 * same core, the main thread wins (CFS weight 1024 vs 110), and on an idle machine the workers
 * still get every spare cycle. piscina's niceIncrement needs an optional native package; this
 * does the same with node:os.
 */
export const WORKER_NICE = 10

/** Lowers the calling thread's priority by `increment`; a platform that refuses keeps the default. */
export function lowerPriority(increment = WORKER_NICE): void {
  try {
    setPriority(Math.min(19, getPriority() + increment))
  } catch {
    // Not permitted or not supported: run at normal priority.
  }
}
