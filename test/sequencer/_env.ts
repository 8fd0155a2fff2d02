import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { privateKeyToAccount } from 'viem/accounts'
import { type AssembledBlock, assembleBlock, type ParentHeader, submissionOf } from '../../src/builder/assemble.js'
import { computeBlockHash } from '../../src/engine/blockHash.js'
import { decodeTx } from '../../src/engine/decodeTx.js'
import type { Fork } from '../../src/engine/fork.js'
import type { ExecutionPayloadV3, Hex } from '../../src/engine/types.js'
import { type EngineSimHandle, startEngineSim } from '../../src/enginesim/start.js'
import type { StartBuildingParams } from '../../src/pbs/index.js'
import { RpcClient } from '../../src/rpc/client.js'
import { signJwt } from '../../src/rpc/jwt.js'
import { createRpcServer } from '../../src/rpc/server.js'
import type { SequencerConfig } from '../../src/sequencer/options.js'
import { type SequencerHandle, sequencerConfig, startSequencer } from '../../src/sequencer/start.js'
import type { Job } from '../../src/sequencer/types.js'
import { createLogger } from '../../src/util/logger.js'
import { OpNode, type OpNodeOptions } from '../_helpers/opNode.js'

const dir = mkdtempSync(join(tmpdir(), 'sg-seq-'))
process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
let files = 0

/** A fresh 32-byte secret written to a file, as --jwt-secret and jwt=FILE want. */
export function jwtFile(): { path: string; secret: Buffer } {
  const secret = randomBytes(32)
  const path = join(dir, `jwt-${files++}.hex`)
  writeFileSync(path, secret.toString('hex'))
  return { path, secret }
}

export const CHAIN_ID = 901
const KEYS: Hex[] = Array.from({ length: 8 }, (_, i) => `0x${(i + 1).toString(16).padStart(64, '0')}` as Hex)

/** A signed EIP-1559 transfer from test key `k` (tip in gwei picks its value to a builder). */
export async function signedTx(
  k: number,
  nonce: number,
  tipGwei = 1,
  opts: { gas?: bigint; to?: Hex; accessList?: { address: Hex; storageKeys: Hex[] }[] } = {},
): Promise<Hex> {
  const acct = privateKeyToAccount(KEYS[k]!)
  return acct.signTransaction({
    type: 'eip1559',
    chainId: CHAIN_ID,
    nonce,
    to: opts.to ?? '0x000000000000000000000000000000000000beef',
    value: 1n,
    gas: opts.gas ?? 100_000n,
    maxFeePerGas: 50_000_000_000n,
    maxPriorityFeePerGas: BigInt(tipGwei) * 1_000_000_000n,
    ...(opts.accessList ? { accessList: opts.accessList } : {}),
  })
}

/** A builder endpoint double: records builder_* calls; `hang` makes it never answer (slow builder). */
export async function builderStub(o: { hang?: boolean } = {}) {
  const calls: { method: string; params: unknown }[] = []
  const waiters: (() => void)[] = []
  const hanging: (() => void)[] = []
  const record = (method: string) => (p: readonly unknown[]) => {
    calls.push({ method, params: p[0] })
    for (const w of waiters.splice(0)) w()
    if (o.hang) return new Promise((resolve) => hanging.push(() => resolve(null)))
    return null
  }
  const app = createRpcServer({
    methods: new Map([
      ['builder_startBuilding', record('builder_startBuilding')],
      ['builder_deadline', record('builder_deadline')],
    ]),
    logger: createLogger('silent'),
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  return {
    url,
    calls,
    /** Resolves once a call satisfying `match` was recorded. */
    async waitFor(
      match: (c: { method: string; params: unknown }) => boolean,
    ): Promise<{ method: string; params: unknown }> {
      for (;;) {
        const hit = calls.find(match)
        if (hit) return hit
        await new Promise<void>((r) => waiters.push(r))
      }
    },
    async close() {
      for (const h of hanging.splice(0)) h()
      await app.close()
    },
  }
}

/** A test builder: signs pbs_ calls with its secret and assembles valid blocks for a job. */
export class TestBuilder {
  readonly rpc: RpcClient
  readonly name: string
  readonly secret: Buffer
  readonly jwtPath: string
  readonly engine: RpcClient

  constructor(name: string, builderApiUrl: string, engineUrl: string, engineSecret: Buffer, jwt = jwtFile()) {
    this.name = name
    this.secret = jwt.secret
    this.jwtPath = jwt.path
    this.rpc = new RpcClient(builderApiUrl, { jwtSecret: jwt.secret, timeoutMs: 10_000 })
    this.engine = new RpcClient(engineUrl, { jwtSecret: engineSecret, timeoutMs: 10_000 })
  }

  async parent(job: Job | StartBuildingParams): Promise<ParentHeader> {
    const b = await this.engine.call<ParentHeader>('eth_getBlockByHash', [job.parent.hash, false])
    if (!b) throw new Error('parent not found')
    return b
  }

  /** A valid block: the forced transactions, then `txs` (signed raw). */
  async block(job: Job | StartBuildingParams, txs: Hex[] = []): Promise<AssembledBlock> {
    return assembleBlock(
      job,
      await this.parent(job),
      txs.map((t) => decodeTx(t)),
    )
  }

  submit(params: unknown): Promise<{ status: string; reason?: string }> {
    return this.rpc.call('pbs_submitBlock', [params])
  }

  submitBlock(b: AssembledBlock): Promise<{ status: string; reason?: string }> {
    return this.submit(submissionOf(b))
  }

  close(): void {
    this.rpc.close()
    this.engine.close()
  }
}

/** A copy of `b` with payload fields changed and the block hash recomputed (unless `keepHash`). */
export function mutate(
  b: AssembledBlock,
  over: Partial<ExecutionPayloadV3>,
  keepHash = false,
): Record<string, unknown> {
  const p = { ...b.executionPayload, ...over }
  if (!keepHash) p.blockHash = computeBlockHash(p, b.parentBeaconBlockRoot, b.executionRequests)
  return { ...submissionOf(b), executionPayload: p }
}

export type Env = {
  engine: EngineSimHandle
  engineJwt: { path: string; secret: Buffer }
  /** --debug-jwt-secret: debug_setExecutionMode needs a token signed with it. */
  debugJwt: { path: string; secret: Buffer }
  seq: SequencerHandle
  op: OpNode
  builders: TestBuilder[]
  stub: Awaited<ReturnType<typeof builderStub>>
  close(): Promise<void>
}

export type EnvOptions = {
  builders?: string[]
  /** Extra --builder entries (stubs) beyond the test builders. */
  extraBuilders?: string[]
  config?: Partial<Record<keyof SequencerConfig, unknown>>
  fork?: Fork
  opNode?: Partial<OpNodeOptions>
  genesisTime?: number
  /** The engine's execution (default `sim`: the test builders sign with unfunded keys). */
  execution?: 'evm' | 'sim'
}

/** engine-sim + superguard sequencer (proxy mode) + op-node stand-in + test builders, all on 127.0.0.1. */
export async function proxyEnv(o: EnvOptions = {}): Promise<Env> {
  const engineJwt = jwtFile()
  const opJwt = jwtFile()
  const debugJwt = jwtFile()
  // 'fast' slots run ahead of the clock from a genesis in the future, so deadlines never pass by accident;
  // 'wall' slots start from a genesis in the past and follow the clock.
  const genesisTime = o.genesisTime ?? Math.floor(Date.now() / 1000) + (o.opNode?.clock === 'wall' ? -10 : 30)
  const engine = await startEngineSim({
    execution: o.execution ?? 'sim',
    jwtSecret: engineJwt.secret,
    chainId: CHAIN_ID,
    genesisTime,
    ...(o.fork ? { fork: o.fork } : {}),
  })
  const names = o.builders ?? ['alice']
  const jwts = names.map(() => jwtFile())
  const stub = await builderStub()
  const seq = await startSequencer(
    sequencerConfig({
      engine: `${engine.url},jwt=${engineJwt.path}`,
      jwtSecret: opJwt.path,
      listenEngine: '127.0.0.1:0',
      listenBuilder: '127.0.0.1:0',
      listenDebug: '127.0.0.1:0',
      debugJwtSecret: debugJwt.path,
      // Test builders submit from the test; their announcements go to a recording stub.
      builder: [...names.map((n, i) => `${stub.url},jwt=${jwts[i]!.path},name=${n}`), ...(o.extraBuilders ?? [])],
      maxUnsafeAge: 0,
      healthInterval: 200,
      logLevel: 'silent',
      ...o.config,
    }),
    { logger: createLogger('silent') },
  )
  const builders = names.map((n, i) => new TestBuilder(n, seq.urls.builder, engine.url, engineJwt.secret, jwts[i]))
  const op = await new OpNode({ engineUrl: seq.urls.engine!, jwtSecret: opJwt.secret, ...o.opNode }).init()
  return {
    engine,
    engineJwt,
    debugJwt,
    seq,
    op,
    builders,
    stub,
    async close() {
      op.close()
      for (const b of builders) b.close()
      await seq.close()
      await stub.close()
      await engine.close()
    },
  }
}

/** Starts a block and resolves with the job superguard announced for it. */
export async function startJob(env: Env) {
  const jobP = env.seq.events.waitFor('job')
  const started = await env.op.startBlock()
  const job = await jobP
  return { started, job }
}

export function bearer(secret: Buffer, iat?: number): Record<string, string> {
  return { authorization: `Bearer ${signJwt(secret, iat)}` }
}

/** Two nodes of one chain behind op-conductor doubles: engine-sims e1/e2, sequencers s1/s2 replicating to each other. */
export type ConductorPair = {
  e1: EngineSimHandle
  e2: EngineSimHandle
  s1: SequencerHandle
  s2: SequencerHandle
  /** Moves leadership: the named node's conductor says leader, the other's refuses commits. */
  lead(node: 'n1' | 'n2'): void
  close(): Promise<void>
}

/**
 * n1 (e1, s1) and n2 (e2, s2), each sequencer publishing to the other's engine, each asking its own
 * conductor double (`conductor_leader`, `conductor_commitUnsafePayload`) over HTTP; n1 leads first.
 */
export async function startConductorPair(o: { blockTime: number; execution?: 'sim' }): Promise<ConductorPair> {
  const jwt = jwtFile()
  const genesisTime = Math.floor(Date.now() / 1000) - 5
  const engine = () =>
    startEngineSim({
      ...(o.execution ? { execution: o.execution } : {}),
      jwtSecret: jwt.secret,
      chainId: CHAIN_ID,
      genesisTime,
    })
  const e1 = await engine()
  const e2 = await engine()
  let leader = 'n1'
  const conductors = ['n1', 'n2'].map((id) =>
    createRpcServer({
      methods: new Map<string, () => unknown>([
        ['conductor_leader', () => leader === id],
        [
          'conductor_commitUnsafePayload',
          () => {
            if (leader !== id) throw new Error('node is not the leader')
            return null
          },
        ],
      ]),
      logger: createLogger('silent'),
    }),
  )
  for (const c of conductors) await c.listen({ host: '127.0.0.1', port: 0 })
  const url = (i: number) => `http://127.0.0.1:${(conductors[i]!.server.address() as AddressInfo).port}`
  const seq = (engineUrl: string, replica: string, i: number) =>
    startSequencer(
      sequencerConfig({
        engine: `${engineUrl},jwt=${jwt.path}`,
        replica: [`${replica},jwt=${jwt.path}`],
        blockTime: o.blockTime,
        conductor: url(i),
        listenBuilder: '127.0.0.1:0',
        listenDebug: '127.0.0.1:0',
        maxUnsafeAge: 0,
      }),
      { logger: createLogger('silent') },
    )
  const s1 = await seq(e1.url, e2.url, 0)
  const s2 = await seq(e2.url, e1.url, 1)
  return {
    e1,
    e2,
    s1,
    s2,
    lead: (node) => {
      leader = node
    },
    close: async () => {
      await s1.close()
      await s2.close()
      for (const c of conductors) await c.close()
      await Promise.all([e1.close(), e2.close()])
    },
  }
}
