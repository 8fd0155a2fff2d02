import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BuilderHandle, builderConfig, startBuilder } from '../builder/index.js'
import type { Hex } from '../engine/types.js'
import { type EngineSimHandle, startEngineSim } from '../enginesim/start.js'
import { type Ingress, startIngress } from '../ingress/index.js'
import { RpcClient } from '../rpc/index.js'
import { type SequencerHandle, sequencerConfig, startSequencer } from '../sequencer/start.js'
import { BoundedMap } from '../util/boundedMap.js'
import { freePort } from '../util/freePort.js'
import { Closers } from './closers.js'
import { type StackContext, startAll } from './context.js'
import { type SequencerStats, Tally } from './stats.js'

/** The engine-sims of one chain: the sequencer's engine, then one per builder (each also a replica). */
export type ChainEngines = {
  chainId: number
  engine: EngineSimHandle
  builderEngines: EngineSimHandle[]
  jwtDir: string
  engineJwt: string
}

/** A receipt as engine-sim answers it (the fields the devnet reads). */
export type Receipt = {
  transactionHash: Hex
  blockHash: Hex
  blockNumber: Hex
  status: Hex
  logs: { address: Hex; topics: Hex[]; data: Hex; logIndex: Hex; blockNumber: Hex }[]
}

/** One devnet chain: engine-sims executing with the EVM, its sequencer's own clock, builders and an ingress. */
export type DevnetChain = {
  chainId: bigint
  /** The sequencer engine's public eth_ URL (what the supervisors index). */
  url: string
  engine: EngineSimHandle
  builders: { name: string; handle: BuilderHandle; engine: EngineSimHandle }[]
  sequencer: SequencerHandle
  /** In front of the engine; fans every transaction out to the chain's builders. */
  ingress: Ingress
  /** The engine's eth_ methods. */
  rpc: RpcClient
  /** The ingress's eth_sendRawTransaction. */
  ingressRpc: RpcClient
  /** Who sealed a block: a builder's name, or `local` (the engine's own block). */
  sourceOf(blockHash: Hex): string | undefined
  /** The receipt once a sealed block holds `txHash`; re-read after every slot, never after `deadlineMs`. */
  included(txHash: Hex, signal: AbortSignal, deadlineMs?: number): Promise<Receipt>
}

/** Blocks whose source is remembered (a few minutes of 1 s slots). */
const SOURCES_KEPT = 1024

/** Starts a chain's engine-sims (the same genesis: equal flags) and writes their JWT secret. */
export async function startEngines(
  ctx: StackContext,
  chainId: number,
  builders: number,
  genesisTime: number,
): Promise<ChainEngines> {
  const jwtDir = mkdtempSync(join(tmpdir(), `superguard-devnet-${chainId}-`))
  ctx.closers.add('JWT secrets', () => rmSync(jwtDir, { recursive: true, force: true }))
  const secret = randomBytes(32)
  const engineJwt = join(jwtDir, 'engine.hex')
  writeFileSync(engineJwt, secret.toString('hex'), { mode: 0o600 })
  const started = await startAll(
    ctx.closers,
    'engine-sim',
    Array.from(
      { length: 1 + builders },
      () => () => startEngineSim({ jwtSecret: secret, chainId, genesisTime, host: '127.0.0.1', port: 0 }),
    ),
    (h) => h.close(),
  )
  return { chainId, engine: started[0]!, builderEngines: started.slice(1), jwtDir, engineJwt }
}

/**
 * The rest of a chain on its engines: the reference builders (each building with sim_buildBlock on
 * its own engine-sim, which follows the chain as a replica), the standalone sequencer (its own
 * --slot clock; every engine-sim of the chain is its replica), and the ingress in front of the
 * engine, which sends every transaction it passes to the engine and to every builder.
 * `--min-gas-ratio 0.5`: a builder block with less than half the gas of the local one is not used.
 */
export async function startChain(
  ctx: StackContext,
  e: ChainEngines,
  o: { builders: readonly string[]; supervisors: readonly string[]; minResponses: number; checkInterop?: string },
): Promise<DevnetChain> {
  const { config, logger, closers } = ctx
  const withJwt = (h: EngineSimHandle) => `${h.url},jwt=${e.engineJwt}`
  const builderJwts = o.builders.map((name) => {
    const path = join(e.jwtDir, `${name}.hex`)
    writeFileSync(path, randomBytes(32).toString('hex'), { mode: 0o600 })
    return path
  })
  const log = logger.child({ chain: e.chainId })

  // The sequencer is told its builders' URLs and each builder its sequencer's URL, both at start:
  // the sequencer's builder listener gets a port picked beforehand (retried if taken meanwhile).
  let handles: BuilderHandle[] = []
  let sequencer: SequencerHandle | undefined
  for (let attempt = 1; !sequencer; attempt++) {
    const port = await freePort()
    const local = new Closers(logger)
    try {
      handles = await startAll(
        local,
        'builder',
        o.builders.map(
          (_, i) => () =>
            startBuilder(
              builderConfig({
                argv: [
                  ...['--listen', '127.0.0.1:0', '--sequencer', `http://127.0.0.1:${port}`],
                  ...['--jwt-secret', builderJwts[i]!, '--engine', withJwt(e.builderEngines[i]!)],
                  // The first builder checks interop transactions with a supervisor before including them.
                  ...(i === 0 && o.checkInterop ? ['--check-interop', o.checkInterop] : []),
                  ...['--log-level', config.logLevel],
                ],
              }),
              { logger: log.child({ builder: o.builders[i] }) },
            ),
        ),
        (b) => b.close(),
      )
      const seq = await startSequencer(
        sequencerConfig({
          engine: withJwt(e.engine),
          blockTime: config.slot,
          replica: e.builderEngines.map(withJwt),
          builder: handles.map((b, i) => `${b.url},jwt=${builderJwts[i]},name=${o.builders[i]}`),
          listenBuilder: `127.0.0.1:${port}`,
          listenDebug: '127.0.0.1:0',
          minGasRatio: 0.5,
          logLevel: config.logLevel,
        }),
        { logger: log },
      )
      local.add('sequencer', () => seq.close())
      closers.add(`sequencer and builders ${e.chainId}`, () => local.close())
      sequencer = seq
    } catch (err) {
      await local.close()
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 3) throw err
    }
  }
  const seq = sequencer
  const sources = new BoundedMap<string, string>(SOURCES_KEPT)
  const stats = (ctx.stats.sequencers[String(e.chainId)] = newSequencerStats())
  countBlocks(seq, stats, sources)

  const ingress = await startIngress(
    {
      host: '127.0.0.1',
      port: 0,
      upstream: e.engine.url,
      builder: handles.map((b) => b.url),
      supervisor: [...o.supervisors],
      strategy: 'agreement',
      minResponses: o.minResponses,
      logLevel: config.logLevel,
    },
    { logger: log },
  )
  closers.add(`ingress ${e.chainId}`, () => ingress.close())
  const rpc = new RpcClient(e.engine.url, { timeoutMs: 5000 })
  const ingressRpc = new RpcClient(ingress.url, { timeoutMs: 5000 })
  closers.add(`clients ${e.chainId}`, () => {
    rpc.close()
    ingressRpc.close()
  })

  const included = async (txHash: Hex, signal: AbortSignal, deadlineMs = 30 * config.slot): Promise<Receipt> => {
    const deadline = Date.now() + deadlineMs
    for (;;) {
      // Armed before the read, so a slot that ends during it is not missed.
      const slot = nextSlot(seq, signal, deadline - Date.now())
      slot.catch(() => undefined)
      const r = await rpc.call<Receipt | null>('eth_getTransactionReceipt', [txHash])
      if (r) return r
      if (!(await slot)) throw new Error(`${txHash} not included in a block of ${e.chainId} within ${deadlineMs} ms`)
    }
  }

  return {
    chainId: BigInt(e.chainId),
    url: e.engine.url,
    engine: e.engine,
    builders: o.builders.map((name, i) => ({ name, handle: handles[i]!, engine: e.builderEngines[i]! })),
    sequencer: seq,
    ingress,
    rpc,
    ingressRpc,
    sourceOf: (hash) => sources.get(hash.toLowerCase()),
    included,
  }
}

/** true after the sequencer's next slot ended; false at the deadline; rejects when `signal` aborts. */
function nextSlot(seq: SequencerHandle, signal: AbortSignal, timeoutMs: number): Promise<boolean> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise((resolve, reject) => {
    const done = (f: () => void) => {
      clearTimeout(timer)
      off()
      signal.removeEventListener('abort', onAbort)
      f()
    }
    const onAbort = () => done(() => reject(signal.reason))
    const timer = setTimeout(() => done(() => resolve(false)), Math.max(0, timeoutMs))
    const off = seq.events.on('slot', () => done(() => resolve(true)))
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

export function newSequencerStats(): SequencerStats {
  return { blocks: 0, bySource: new Tally(), refused: new Tally() }
}

const GUARDS: ReadonlySet<string> = new Set(['min_gas_ratio', 'known_block', 'version_mismatch'])

/** Blocks per source and every reason a builder block was not used, from the sequencer's events. */
function countBlocks(seq: SequencerHandle, s: SequencerStats, sources: BoundedMap<string, string>): void {
  seq.events.on('sealed', (e) => {
    const source = e.source === 'builder' ? (e.builder ?? 'builder') : 'local'
    s.blocks++
    s.bySource.add(source)
    sources.set(e.blockHash.toLowerCase(), source)
    // A guard (min_gas_ratio, known_block, version_mismatch) dropped the validated builder blocks.
    if (e.source === 'local' && GUARDS.has(e.reason)) s.refused.add(e.reason)
  })
  seq.events.on('submission', (e) => {
    if (e.result.status === 'rejected') s.refused.add(e.result.reason)
  })
  seq.events.on('validated', (e) => {
    if (!e.valid) s.refused.add(e.reason ?? 'invalid')
  })
}
