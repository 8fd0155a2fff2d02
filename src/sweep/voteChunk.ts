import { Counter, type Registry } from 'prom-client'
import { actionFor, SweepCode } from './classify.js'
import type { SweepPool } from './pool.js'
import { type CheckBackend, type ChunkResult, MAX_MESSAGES } from './protocol.js'
import type { ChunkDispatch } from './routeChunk.js'

type SupervisorBackend = Extract<CheckBackend, { mode: 'supervisor' }>

/**
 * --vote: every chunk goes to each supervisor of the vote (--supervisor and the --vote ones), one
 * worker task each, at once; an access's code is what a strict majority answered, compared by the
 * action it leads to (valid, evict, keep), with the first such supervisor's code and message. No
 * majority is NoMajority: the transaction is kept and asked about again next round. The ingress's
 * `agreement` protects admission the same way; without it, the lying-supervisor chaos scenario's
 * sweeps (one supervisor each) judged 80 valid transactions evict and the builders dropped them.
 */
export class VotingDispatch {
  readonly #pool: SweepPool
  readonly #urls: readonly string[]
  readonly #backend: (url: string) => SupervisorBackend
  readonly #votes: Counter<'result'>

  constructor(
    pool: SweepPool,
    urls: readonly string[],
    backend: (url: string) => SupervisorBackend,
    registry: Registry,
  ) {
    this.#pool = pool
    this.#urls = urls
    this.#backend = backend
    this.#votes = new Counter({
      name: 'superguard_sweep_votes_total',
      help: 'Accesses decided by the --vote supervisors: agreed (a strict majority) or no_majority (kept)',
      labelNames: ['result'] as const,
      registers: [registry],
    })
  }

  readonly dispatch: ChunkDispatch = async (chunk, signal) => {
    const started = performance.now()
    // The pool transfers a task's accesses to its worker (the buffer is detached here): a copy each.
    const copies = this.#urls.map((_, k) => (k === 0 ? chunk.accesses : chunk.accesses.slice(0)))
    const results = await Promise.all(
      this.#urls.map((url, k) =>
        this.#pool.check({ ...chunk, backend: this.#backend(url), accesses: copies[k]! }, signal).catch(
          (err: unknown): ChunkResult => ({
            codes: new Int32Array(chunk.count).fill(SweepCode.Worker),
            messages: [[0, String(err)]],
            ms: 0,
          }),
        ),
      ),
    )
    const said = results.map((r) => new Map(r.messages))
    const need = Math.floor(this.#urls.length / 2) + 1
    const out: ChunkResult = { codes: new Int32Array(chunk.count), messages: [], ms: 0 }
    let split = 0
    for (let i = 0; i < chunk.count; i++) {
      const tally = { valid: 0, evict: 0, keep: 0 }
      for (const r of results) tally[actionFor(r.codes[i]!)]++
      const winner =
        tally.valid >= need ? 'valid' : tally.evict >= need ? 'evict' : tally.keep >= need ? 'keep' : undefined
      const k = winner === undefined ? -1 : results.findIndex((r) => actionFor(r.codes[i]!) === winner)
      const code = k < 0 ? SweepCode.NoMajority : results[k]!.codes[i]!
      if (k < 0) split++
      out.codes[i] = code
      if (code === SweepCode.Ok || out.messages.length >= MAX_MESSAGES) continue
      const message =
        k < 0
          ? `no majority of ${this.#urls.length} supervisors: ${results.map((r) => r.codes[i]).join(', ')}`
          : said[k]!.get(i)
      if (message !== undefined) out.messages.push([i, message])
    }
    if (split) this.#votes.inc({ result: 'no_majority' }, split)
    if (chunk.count - split) this.#votes.inc({ result: 'agreed' }, chunk.count - split)
    out.ms = performance.now() - started
    return out
  }
}
