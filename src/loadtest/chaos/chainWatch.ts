import { RpcClient } from '../../rpc/index.js'
import type { ClusterManifest } from './manifest.js'

export type SeenBlock = { number: number; timestamp: number; seenAt: number }
export type LeaderChange = { atMs: number; from: string | undefined; to: string }
export type CanonicalBlock = { number: number; hash: string; timestamp: number; txs: string[] }

type BlockJson = { number: string; hash: string; timestamp: string; transactions: string[] }

/**
 * Follows one chain of the cluster while a scenario runs: every `everyMs` (250 ms) its conductor
 * stand-in's leader and the head of an engine of the chain (the leader's first, another when it does
 * not answer), noting when each new head was first seen and every change of leader. At the end,
 * `canonical` reads the blocks in between with their transaction hashes from the engine with the
 * highest head (every engine holds every block: the leader publishes to the others).
 */
export class ChainWatch {
  readonly name: string
  readonly chainId: number
  readonly engines: { node: string; url: string }[]
  readonly seen = new Map<number, number>()
  readonly leaders: LeaderChange[] = []
  startHead = 0
  #leader: string | undefined
  #timer: NodeJS.Timeout | undefined
  #busy = false
  readonly #t0: number
  readonly #conductor: RpcClient
  readonly #clients = new Map<string, RpcClient>()

  constructor(m: ClusterManifest, name: string, t0: number) {
    const c = m.chains.find((x) => x.name === name)!
    this.name = name
    this.chainId = c.chainId
    this.#t0 = t0
    this.#conductor = new RpcClient(c.conductor, { timeoutMs: 1_000 })
    this.engines = m.processes
      .filter((p) => p.role === 'engine-sim' && p.chain === c.chainId && p.engine)
      .sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
      .map((p) => ({ node: `${name}${p.index}`, url: p.engine! }))
  }

  get leader(): string | undefined {
    return this.#leader
  }

  #client(url: string): RpcClient {
    let c = this.#clients.get(url)
    if (!c) this.#clients.set(url, (c = new RpcClient(url, { timeoutMs: 1_000 })))
    return c
  }

  /** The engines, the leader's first. */
  #order(): string[] {
    const lead = this.engines.find((e) => e.node === this.#leader)
    return [...(lead ? [lead.url] : []), ...this.engines.filter((e) => e !== lead).map((e) => e.url)]
  }

  async head(): Promise<number | undefined> {
    for (const url of this.#order()) {
      try {
        return Number(BigInt(await this.#client(url).call<string>('eth_blockNumber')))
      } catch {}
    }
    return undefined
  }

  async start(everyMs = 250): Promise<void> {
    await this.#poll()
    this.startHead = (await this.head()) ?? 0
    this.#timer = setInterval(() => void this.#poll(), everyMs)
  }

  async #poll(): Promise<void> {
    if (this.#busy) return
    this.#busy = true
    try {
      const now = performance.now() - this.#t0
      try {
        const id = (await this.#conductor.call<{ id: string }>('conductor_leaderWithID')).id
        if (id !== this.#leader) {
          this.leaders.push({ atMs: Math.round(now), from: this.#leader, to: id })
          this.#leader = id
        }
      } catch {}
      const h = await this.head()
      if (h !== undefined && !this.seen.has(h)) this.seen.set(h, Math.round(performance.now() - this.#t0))
    } finally {
      this.#busy = false
    }
  }

  /** When block `n` was first seen (ms since the scenario began): its own reading or the next later head's. */
  seenAt(n: number): number | undefined {
    let best: number | undefined
    for (const [k, v] of this.seen) if (k >= n && (best === undefined || v < best)) best = v
    return best
  }

  /** Blocks startHead+1 … the highest head, with transaction hashes, from the engine with the highest head. */
  async canonical(): Promise<CanonicalBlock[]> {
    let best: { url: string; head: number } | undefined
    for (const e of this.engines) {
      try {
        const h = Number(BigInt(await this.#client(e.url).call<string>('eth_blockNumber')))
        if (!best || h > best.head) best = { url: e.url, head: h }
      } catch {}
    }
    if (!best) return []
    const out: CanonicalBlock[] = []
    for (let from = this.startHead; from <= best.head; from += 100) {
      const nums = []
      for (let n = from; n <= Math.min(best.head, from + 99); n++) nums.push(n)
      const answers = await this.#client(best.url).batch(
        nums.map((n) => ({ method: 'eth_getBlockByNumber', params: [`0x${n.toString(16)}`, false] })),
      )
      for (const a of answers) {
        const b = a.ok ? (a.result as BlockJson | null) : null
        if (b)
          out.push({
            number: Number(BigInt(b.number)),
            hash: b.hash,
            timestamp: Number(BigInt(b.timestamp)),
            txs: b.transactions.map((t) => t.toLowerCase()),
          })
      }
    }
    return out
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  close(): void {
    this.stop()
    this.#conductor.close()
    for (const c of this.#clients.values()) c.close()
  }
}
