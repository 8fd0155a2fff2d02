import { join } from 'node:path'

/** The document's table: chains A, B, C, and nodes 1–3 of each; supervisor i indexes Ai, Bi, Ci. */
export const TOPOLOGY_CHAINS = [
  { name: 'A', chainId: 901 },
  { name: 'B', chainId: 902 },
  { name: 'C', chainId: 903 },
] as const
export const NODES_PER_CHAIN = 3

export type Role = 'engine-sim' | 'supervisor' | 'conductor-standin' | 'sequencer' | 'builder' | 'ingress' | 'sweep'

/** One OS process of the cluster: how to start it and where it answers. */
export type ProcessSpec = {
  /** Unique, e.g. sequencer-A2, supervisor-3, ingress-B. */
  name: string
  role: Role
  /** Chain id (not for supervisors, which index every chain). */
  chain?: number
  /** 1–3: the table's row (node, supervisor). */
  index?: number
  /** Arguments after `superguard <role>`; the same on every restart (same ports). */
  args: string[]
  rpc?: string
  engine?: string
  healthz?: string
  metrics?: string
  /** 0: engines; 1: everything else, started once every engine answers (supervisors and sequencers read them at start). */
  stage: 0 | 1
  /** Sequencers: the builder API (`--listen-builder`), for the chaos scenarios' builder flood. */
  builderApi?: string
}

export type PlanInput = {
  /** A free port per call (the whole plan is fixed before anything starts, so restarts reuse them). */
  port: () => Promise<number>
  dataDir: string
  /** JWT secret files: the engines' (shared by the chain's sequencers) and the builders'. */
  engineJwt: string
  builderJwt: string
  slotMs: number
  sweepIntervalMs: number
  genesisTime: number
  logLevel: string
  /** Which supervisors (1–3) run the light rpc backend; the others keep a SQLite index. */
  rpcSupervisors: readonly number[]
  /** The lying-supervisor double (src/devnet/liar/): the ingresses and sweeps reach supervisor `index` through it. */
  liar?: { index: number; port: number }
}

const local = (port: number) => `http://127.0.0.1:${port}`

/**
 * Every process of the 3×3 cluster with its arguments. Per chain: three engine-sims (one genesis),
 * three standalone sequencers (each publishing to the other two engines, --replica, and asking the
 * chain's conductor stand-in at its own URL whether it leads, its /healthz folding in its
 * supervisor's), a builder per node (it builds for that node's sequencer, so only the leader's
 * builder is asked for blocks), the ingress (2 of 3 supervisors agree; every valid transaction goes
 * to the first engine and fire-and-forget to the other two and the builders) and a sweep of the
 * first node's pool. Supervisor i indexes Ai, Bi, Ci.
 */
export async function planTopology(p: PlanInput): Promise<ProcessSpec[]> {
  const out: ProcessSpec[] = []
  // 9 × 5 + 3 × 2 + 3 ports: each distinct (the OS may hand a released port out again).
  const taken = new Set<number>(p.liar ? [p.liar.port] : [])
  const port = async () => {
    for (;;) {
      const n = await p.port()
      if (!taken.has(n)) {
        taken.add(n)
        return n
      }
    }
  }
  const ports = async <K extends string>(...keys: K[]) => {
    const r = {} as Record<K, number>
    for (const k of keys) r[k] = await port()
    return r
  }
  const ms = (n: number) => `${n}ms`
  const common = ['--log-level', p.logLevel]
  const chains = []
  for (const c of TOPOLOGY_CHAINS) {
    const nodes = []
    for (let i = 1; i <= NODES_PER_CHAIN; i++)
      nodes.push({ i, id: `${c.name}${i}`, ...(await ports('engine', 'builderApi', 'debug', 'builder', 'conductor')) })
    chains.push({ ...c, nodes, ...(await ports('ingress', 'sweepMetrics')) })
  }
  const supervisors = []
  for (let i = 1; i <= NODES_PER_CHAIN; i++) supervisors.push({ i, port: await port() })
  // What the ingresses and sweeps ask: supervisor i, or the lying double in front of it.
  const checkUrl = (s: { i: number; port: number }) => local(p.liar?.index === s.i ? p.liar.port : s.port)

  for (const c of chains)
    for (const n of c.nodes)
      out.push({
        name: `engine-sim-${n.id}`,
        role: 'engine-sim',
        chain: c.chainId,
        index: n.i,
        stage: 0,
        args: [
          '--port',
          String(n.engine),
          '--jwt-secret',
          p.engineJwt,
          '--chain-id',
          String(c.chainId),
          '--genesis-time',
          String(p.genesisTime),
          ...common,
        ],
        rpc: local(n.engine),
        engine: local(n.engine),
        healthz: `${local(n.engine)}/healthz`,
        metrics: `${local(n.engine)}/metrics`,
      })

  for (const s of supervisors) {
    const light = p.rpcSupervisors.includes(s.i)
    out.push({
      name: `supervisor-${s.i}`,
      role: 'supervisor',
      index: s.i,
      stage: 1,
      args: [
        ...chains.flatMap((c) => ['--rpc', `${c.chainId}=${local(c.nodes[s.i - 1]!.engine)}`]),
        '--port',
        String(s.port),
        ...(light ? ['--backend', 'rpc'] : ['--db', join(p.dataDir, `supervisor-${s.i}.db`), '--backfill', '1h']),
        // Once a slot (at least 1 s): a new block is indexed within a slot. Each poll reads three chains'
        // heads; 500 ms cost ~5 % of a core per supervisor here.
        '--poll',
        ms(Math.max(1000, p.slotMs)),
        ...common,
      ],
      rpc: local(s.port),
      healthz: `${local(s.port)}/healthz`,
      metrics: `${local(s.port)}/metrics`,
    })
  }

  for (const c of chains) {
    const conductorNode = c.nodes[0]!
    out.push({
      name: `conductor-${c.name}`,
      role: 'conductor-standin',
      chain: c.chainId,
      stage: 1,
      args: [
        ...c.nodes.flatMap((n) => ['--node', `${n.id}=127.0.0.1:${n.conductor},health=${local(n.debug)}/healthz`]),
        '--health-interval',
        '1s',
        ...common,
      ],
      rpc: local(conductorNode.conductor),
      healthz: `${local(conductorNode.conductor)}/healthz`,
      metrics: `${local(conductorNode.conductor)}/metrics`,
    })
    const withJwt = (port: number) => `${local(port)},jwt=${p.engineJwt}`
    for (const n of c.nodes) {
      const sup = supervisors[n.i - 1]!
      out.push({
        name: `sequencer-${n.id}`,
        role: 'sequencer',
        chain: c.chainId,
        index: n.i,
        stage: 1,
        args: [
          '--engine',
          withJwt(n.engine),
          '--block-time',
          ms(p.slotMs),
          ...c.nodes.filter((o) => o !== n).flatMap((o) => ['--replica', withJwt(o.engine)]),
          '--conductor',
          local(n.conductor),
          '--supervisor',
          local(sup.port),
          '--builder',
          `${local(n.builder)},jwt=${p.builderJwt},name=builder-${n.id}`,
          '--listen-builder',
          `127.0.0.1:${n.builderApi}`,
          '--listen-debug',
          `127.0.0.1:${n.debug}`,
          // Engine and supervisor probes once a slot (at least 1 s): detection speed costs no slot, since a
          // leader whose supervisor is down keeps sealing until leadership moves.
          '--health-interval',
          ms(Math.max(1000, p.slotMs)),
          ...common,
        ],
        rpc: local(n.debug),
        healthz: `${local(n.debug)}/healthz`,
        metrics: `${local(n.debug)}/metrics`,
        builderApi: local(n.builderApi),
      })
      out.push({
        name: `builder-${n.id}`,
        role: 'builder',
        chain: c.chainId,
        index: n.i,
        stage: 1,
        args: [
          '--listen',
          `127.0.0.1:${n.builder}`,
          '--sequencer',
          local(n.builderApi),
          '--jwt-secret',
          p.builderJwt,
          '--engine',
          withJwt(n.engine),
          // Each rebuild executes the whole pool again on the node's engine (sim_buildBlock): the default
          // 100 ms is ten executions a 1 s slot under steady traffic, a quarter of the slot is enough
          // for a builder that competes with the engine's own block.
          '--resubmit-interval',
          ms(Math.max(250, Math.round(p.slotMs / 4))),
          ...common,
        ],
        rpc: local(n.builder),
        healthz: `${local(n.builder)}/healthz`,
        metrics: `${local(n.builder)}/metrics`,
      })
    }
    out.push({
      name: `ingress-${c.name}`,
      role: 'ingress',
      chain: c.chainId,
      stage: 1,
      args: [
        '--port',
        String(c.ingress),
        '--upstream',
        local(c.nodes[0]!.engine),
        ...c.nodes.slice(1).flatMap((n) => ['--builder', local(n.engine)]),
        ...c.nodes.flatMap((n) => ['--builder', local(n.builder)]),
        ...supervisors.flatMap((s) => ['--supervisor', checkUrl(s)]),
        '--strategy',
        'agreement',
        '--min-responses',
        '2',
        '--chain-id',
        String(c.chainId),
        // Five fire-and-forget sends per transaction (nodes 2 and 3's engines, the three builders):
        // batched every eighth of a slot (at most 250 ms), one HTTP request per peer per batch instead
        // of one per transaction; a builder rebuilds at most every quarter slot anyway.
        '--builder-batch',
        ms(Math.min(250, Math.round(p.slotMs / 8))),
        ...common,
      ],
      rpc: local(c.ingress),
      healthz: `${local(c.ingress)}/healthz`,
      metrics: `${local(c.ingress)}/metrics`,
    })
    out.push({
      name: `sweep-${c.name}`,
      role: 'sweep',
      chain: c.chainId,
      stage: 1,
      args: [
        '--source',
        'txpool',
        '--rpc',
        local(c.nodes[0]!.engine),
        '--mode',
        'supervisor',
        '--supervisor',
        checkUrl(supervisors[0]!),
        // The sweep votes as the ingress agrees: one lying or broken supervisor cannot evict.
        ...supervisors.slice(1).flatMap((s) => ['--vote', checkUrl(s)]),
        '--interval',
        ms(p.sweepIntervalMs),
        '--threads',
        '1',
        '--chain-id',
        String(c.chainId),
        ...c.nodes.flatMap((n) => ['--notify', local(n.builder)]),
        '--metrics-port',
        String(c.sweepMetrics),
        ...common,
      ],
      metrics: `${local(c.sweepMetrics)}/metrics`,
    })
  }
  return out
}
