import { ConductorRefusedError, NotLeaderError } from './errors.js'

/** op-conductor's consensus.ServerSuffrage: 0 Voter (may lead), 1 Nonvoter. */
export const VOTER = 0
export const NONVOTER = 1

/** op-conductor's consensus.ServerInfo, as conductor_leaderWithID and conductor_clusterMembership answer it. */
export type ServerInfo = { id: string; addr: string; suffrage: number }

export type LeaderChange = { from: string; to: string; reason: 'unhealthy' | 'transfer' | 'removed' }

type Member = ServerInfo & { healthy: boolean; failures: number; everHealthy: boolean }

/**
 * The stand-in's whole "consensus": one leader among the voters, moved when the leader's /healthz
 * failed `unhealthyAfter` times in a row and another voter's is fine, or on a transfer. No log, no
 * quorum, no terms: a single process decides, so it can neither split nor survive its own death.
 * Pure state; the prober and the RPC feed it.
 */
export class Election {
  readonly #members: Member[]
  readonly #unhealthyAfter: number
  readonly #onChange: (c: LeaderChange) => void
  readonly #now: () => number
  readonly #graceUntil: number
  #leader: string
  #paused = false
  /** The newest block the leader committed (conductor_commitUnsafePayload). */
  lastCommitted: { number: bigint; hash: string; by: string } | undefined

  constructor(
    nodes: readonly { id: string; addr: string }[],
    opts: {
      leader?: string
      unhealthyAfter: number
      onChange: (c: LeaderChange) => void
      /** A node that has not yet answered healthy is starting, not failing, for this long (default 60 s). */
      startGraceMs?: number
      now?: () => number
    },
  ) {
    // Healthy until a probe says otherwise: a start-up in which every node is still warming up keeps the first leader.
    this.#members = nodes.map((n) => ({
      id: n.id,
      addr: n.addr,
      suffrage: VOTER,
      healthy: true,
      failures: 0,
      everHealthy: false,
    }))
    this.#now = opts.now ?? Date.now
    this.#graceUntil = this.#now() + (opts.startGraceMs ?? 60_000)
    this.#leader = opts.leader ?? nodes[0]!.id
    this.#unhealthyAfter = opts.unhealthyAfter
    this.#onChange = opts.onChange
  }

  get leader(): string {
    return this.#leader
  }

  get paused(): boolean {
    return this.#paused
  }

  set paused(p: boolean) {
    this.#paused = p
  }

  isLeader(id: string): boolean {
    return this.#leader === id
  }

  leaderInfo(): ServerInfo {
    return info(this.#member(this.#leader)!)
  }

  membership(): ServerInfo[] {
    return this.#members.map(info)
  }

  /** Whether the node has answered healthy at least once (before that, within the grace, it is starting). */
  seenHealthy(id: string): boolean {
    return this.#member(id)?.everHealthy ?? false
  }

  healthy(id: string): boolean {
    return this.#member(id)?.healthy ?? false
  }

  /** One /healthz reading; may move leadership (paused: readings are kept, leadership stays, as op-conductor). */
  probe(id: string, ok: boolean): void {
    const m = this.#member(id)
    if (!m) return
    m.failures = ok ? 0 : m.failures + 1
    if (ok) m.everHealthy = true
    // A node still starting (never healthy yet, within the grace) is not failing: a cluster whose nodes
    // become healthy one by one keeps its first leader instead of handing it to the first one ready.
    const starting = !m.everHealthy && this.#now() < this.#graceUntil
    m.healthy = ok || starting || m.failures < this.#unhealthyAfter
    if (!this.#paused && id === this.#leader && !m.healthy) this.#moveTo(this.#nextHealthy(), 'unhealthy')
    // A leader already unhealthy with nobody to take over: the first node to recover takes over.
    if (!this.#paused && ok && id !== this.#leader && !this.healthy(this.#leader)) this.#moveTo(m, 'unhealthy')
  }

  /** conductor_commitUnsafePayload: only the leader commits (op-node's sequencer publishes only after). */
  commit(id: string, number: bigint, hash: string): void {
    if (id !== this.#leader) throw new NotLeaderError(id)
    this.lastCommitted = { number, hash, by: id }
  }

  /** conductor_transferLeader: to the next healthy voter, else the next voter. */
  transfer(): void {
    const next = this.#nextHealthy() ?? this.#next(() => true)
    if (!next) throw new ConductorRefusedError('no other voter to transfer leadership to')
    this.#moveTo(next, 'transfer')
  }

  /** conductor_transferLeaderToServer: both id and addr must name a voter (as raft requires). */
  transferTo(id: string, addr: string): void {
    const m = this.#member(id)
    if (!m || m.addr !== addr) throw new ConductorRefusedError(`unknown server ${id} at ${addr}`)
    if (m.suffrage !== VOTER) throw new ConductorRefusedError(`server ${id} is not a voter`)
    if (id === this.#leader) return
    this.#moveTo(m, 'transfer')
  }

  /** Suffrage of a known server (the stand-in cannot add listeners for new ones). */
  setSuffrage(id: string, addr: string, suffrage: number): void {
    const m = this.#member(id)
    if (!m || m.addr !== addr)
      throw new ConductorRefusedError(`the stand-in serves a fixed set of nodes; ${id} at ${addr} is not one`)
    m.suffrage = suffrage
    if (suffrage !== VOTER && id === this.#leader)
      this.#moveTo(this.#nextHealthy() ?? this.#next(() => true), 'removed')
  }

  #member(id: string): Member | undefined {
    return this.#members.find((m) => m.id === id)
  }

  /** The first voter after the leader (in --node order, wrapping) that satisfies `fn`. */
  #next(fn: (m: Member) => boolean): Member | undefined {
    const i = this.#members.findIndex((m) => m.id === this.#leader)
    for (let k = 1; k < this.#members.length; k++) {
      const m = this.#members[(i + k) % this.#members.length]!
      if (m.suffrage === VOTER && fn(m)) return m
    }
    return undefined
  }

  #nextHealthy(): Member | undefined {
    return this.#next((m) => m.healthy && m.failures === 0)
  }

  #moveTo(m: Member | undefined, reason: LeaderChange['reason']): void {
    if (!m || m.id === this.#leader) return
    const from = this.#leader
    this.#leader = m.id
    this.#onChange({ from, to: m.id, reason })
  }
}

function info(m: Member): ServerInfo {
  return { id: m.id, addr: m.addr, suffrage: m.suffrage }
}
