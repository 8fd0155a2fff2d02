import type { Logger } from 'pino'

type Track = {
  chainId: bigint
  start: bigint
  indexed: bigint
  target: bigint
  samples: { t: number; n: bigint }[]
  done: boolean
}

export type ProgressSnapshot = {
  chainId: bigint
  indexed: bigint
  target: bigint
  percent: number
  blocksPerSecond: number
  etaSeconds: number | undefined
}

export type BackfillProgressOptions = {
  logger: Logger
  /** Where the bar goes; a TTY gets a redrawn single line, anything else gets log lines. */
  stream?: NodeJS.WriteStream
  /** Redraw (TTY) or log (otherwise) period. */
  intervalMs?: number
}

const WINDOW_MS = 10_000
const BAR = 24

/**
 * Backfill progress for every chain: on a terminal one line on stderr redrawn in place
 * (`chain 10 [#####-----] 42.0% 1,234 blk/s ETA 1m05s`), otherwise an info log line per chain
 * every `intervalMs`. Rates are over the last 10 s so the ETA follows the current speed.
 */
export class BackfillProgress {
  readonly #tracks = new Map<bigint, Track>()
  readonly #log: Logger
  readonly #stream: NodeJS.WriteStream
  readonly #tty: boolean
  readonly #timer: NodeJS.Timeout
  #drawn = false

  constructor({ logger, stream = process.stderr, intervalMs }: BackfillProgressOptions) {
    this.#log = logger
    this.#stream = stream
    this.#tty = stream.isTTY === true
    this.#timer = setInterval(() => this.report(), intervalMs ?? (this.#tty ? 250 : 5_000))
    this.#timer.unref()
  }

  update(chainId: bigint, start: bigint, indexed: bigint, target: bigint): void {
    let t = this.#tracks.get(chainId)
    if (!t) {
      t = { chainId, start, indexed, target, samples: [], done: false }
      this.#tracks.set(chainId, t)
    }
    t.indexed = indexed
    t.target = target
    const now = Date.now()
    t.samples.push({ t: now, n: indexed })
    while (t.samples.length > 2 && now - t.samples[0]!.t > WINDOW_MS) t.samples.shift()
  }

  /** Marks the chain's backfill complete (and prints its final numbers). */
  done(chainId: bigint): void {
    const t = this.#tracks.get(chainId)
    if (!t || t.done) return
    t.done = true
    const s = snapshot(t)
    if (this.#tty) this.#draw(true)
    this.#log.info(
      { chainId: chainId.toString(), indexed: s.indexed.toString(), blocks: (t.indexed - t.start + 1n).toString() },
      'backfill complete',
    )
  }

  snapshot(chainId: bigint): ProgressSnapshot | undefined {
    const t = this.#tracks.get(chainId)
    return t && snapshot(t)
  }

  stop(): void {
    clearInterval(this.#timer)
    if (this.#drawn) this.#stream.write('\n')
    this.#drawn = false
  }

  /** Draws the bar (TTY) or logs one line per chain still backfilling; the timer calls it. */
  report(): void {
    const active = [...this.#tracks.values()].filter((t) => !t.done)
    if (active.length === 0) return
    if (this.#tty) {
      this.#draw(false)
      return
    }
    for (const t of active) {
      const s = snapshot(t)
      this.#log.info(
        {
          chainId: t.chainId.toString(),
          indexed: s.indexed.toString(),
          target: s.target.toString(),
          percent: Number(s.percent.toFixed(1)),
          blocksPerSecond: Math.round(s.blocksPerSecond),
          etaSeconds: s.etaSeconds,
        },
        `backfill ${s.percent.toFixed(1)}% ${Math.round(s.blocksPerSecond)} blocks/s ETA ${formatEta(s.etaSeconds)}`,
      )
    }
  }

  #draw(final: boolean): void {
    const parts = [...this.#tracks.values()].map((t) => line(snapshot(t)))
    this.#stream.write(`\r\x1b[2K${parts.join('  |  ')}`)
    this.#drawn = true
    if (final && [...this.#tracks.values()].every((t) => t.done)) {
      this.#stream.write('\n')
      this.#drawn = false
    }
  }
}

function snapshot(t: Track): ProgressSnapshot {
  const total = Number(t.target - t.start + 1n)
  const doneBlocks = Number(t.indexed - t.start + 1n)
  const percent = total <= 0 ? 100 : Math.min(100, (doneBlocks / total) * 100)
  const first = t.samples[0]
  const last = t.samples.at(-1)
  const dt = first && last ? (last.t - first.t) / 1000 : 0
  const blocksPerSecond = dt > 0 ? Number(last!.n - first!.n) / dt : 0
  const remaining = Number(t.target - t.indexed)
  const etaSeconds = remaining <= 0 ? 0 : blocksPerSecond > 0 ? Math.ceil(remaining / blocksPerSecond) : undefined
  return { chainId: t.chainId, indexed: t.indexed, target: t.target, percent, blocksPerSecond, etaSeconds }
}

function line(s: ProgressSnapshot): string {
  const filled = Math.round((s.percent / 100) * BAR)
  return `chain ${s.chainId} [${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${s.percent.toFixed(1)}% ${Math.round(s.blocksPerSecond).toLocaleString('en-US')} blk/s ETA ${formatEta(s.etaSeconds)}`
}

export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined) return '?'
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`
}
