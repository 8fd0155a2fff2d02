import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BuilderHandle, builderConfig, startBuilder } from '../builder/index.js'
import { type EngineSimHandle, startEngineSim } from '../enginesim/start.js'
import { type Ingress, startIngress } from '../ingress/index.js'
import { type SequencerHandle, sequencerConfig, startSequencer } from '../sequencer/start.js'
import { freePort } from '../util/freePort.js'
import { Closers } from './closers.js'
import { type StackContext, startAll } from './interopStack.js'
import type { SequencerStats } from './stats.js'

/** The PBS chain: an engine-sim chain (no EVM, no interop), beside the two anvil chains. */
export const PBS_CHAIN_ID = 903
export const BUILDER_NAMES = ['builder-a', 'builder-b'] as const

export type PbsStack = {
  /** The sequencer's own engine. */
  engine: EngineSimHandle
  /** A node that follows the chain (published to by the sequencer). */
  replica: EngineSimHandle
  /** builder-a, builder-b, each with the engine-sim it reads parents from (also a replica). */
  builders: { name: string; handle: BuilderHandle; engine: EngineSimHandle }[]
  sequencer: SequencerHandle
  /** In front of the sequencer's engine; fans every transaction out to both builders. */
  ingress: Ingress
}

/**
 * The PBS half of the devnet: a standalone sequencer (its own block clock) on an engine-sim, one
 * replica, two reference builders each reading the chain from its own engine-sim replica, and an
 * ingress whose upstream is the sequencer's engine and whose builders are the two reference
 * builders (the seed's "ingress feeds both"). `--min-gas-ratio 0.5`: a builder block with less than
 * half the gas of the sequencer's own block is not used (see pbsTraffic.ts for the transactions
 * that make the difference).
 */
export async function startPbsStack(ctx: StackContext, supervisorUrl: string): Promise<PbsStack> {
  const { config, logger, closers } = ctx
  const secrets = mkdtempSync(join(tmpdir(), 'superguard-devnet-jwt-'))
  closers.add('JWT secrets', () => rmSync(secrets, { recursive: true, force: true }))
  const secretFile = (name: string) => {
    const secret = randomBytes(32)
    const path = join(secrets, `${name}.hex`)
    writeFileSync(path, secret.toString('hex'), { mode: 0o600 })
    return { path, secret }
  }
  const engineJwt = secretFile('engine')
  const genesisTime = Math.floor(Date.now() / 1000)
  const [engine, replica, ...builderEngines] = await startAll(
    closers,
    'engine-sim',
    Array.from(
      { length: 2 + BUILDER_NAMES.length },
      () => () =>
        startEngineSim({
          execution: 'sim',
          jwtSecret: engineJwt.secret,
          chainId: PBS_CHAIN_ID,
          genesisTime,
          host: '127.0.0.1',
          port: 0,
        }),
    ),
    (e) => e.close(),
  )
  const withJwt = (e: EngineSimHandle) => `${e.url},jwt=${engineJwt.path}`
  const builderJwts = BUILDER_NAMES.map((n) => secretFile(n))

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
        BUILDER_NAMES.map(
          (_, i) => () =>
            startBuilder(
              builderConfig({
                argv: [
                  '--listen',
                  '127.0.0.1:0',
                  '--sequencer',
                  `http://127.0.0.1:${port}`,
                  '--jwt-secret',
                  builderJwts[i]!.path,
                  '--engine',
                  withJwt(builderEngines[i]!),
                  '--log-level',
                  config.logLevel,
                ],
              }),
              { logger },
            ),
        ),
        (b) => b.close(),
      )
      const seq = await startSequencer(
        sequencerConfig({
          engine: withJwt(engine!),
          blockTime: config.slot,
          replica: [replica!, ...builderEngines].map(withJwt),
          builder: handles.map((b, i) => `${b.url},jwt=${builderJwts[i]!.path},name=${BUILDER_NAMES[i]}`),
          listenBuilder: `127.0.0.1:${port}`,
          listenDebug: '127.0.0.1:0',
          minGasRatio: 0.5,
          logLevel: config.logLevel,
        }),
        { logger },
      )
      local.add('sequencer', () => seq.close())
      closers.add('sequencer and builders', () => local.close())
      sequencer = seq
    } catch (err) {
      await local.close()
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 3) throw err
    }
  }
  countBlocks(sequencer, ctx.stats.sequencer)

  const ingress = await startIngress(
    {
      host: '127.0.0.1',
      port: 0,
      upstream: engine!.url,
      builder: handles.map((b) => b.url),
      supervisor: [supervisorUrl],
      logLevel: config.logLevel,
    },
    { logger },
  )
  closers.add('ingress 903', () => ingress.close())
  ctx.print(
    `sequencer ${sequencer.urls.debug} (standalone, ${config.slot / 1000}s slots) on engine-sim ${PBS_CHAIN_ID} ${engine!.url}, replica ${replica!.url}; ${BUILDER_NAMES.map((n, i) => `${n} ${handles[i]!.url}`).join(', ')}; ingress ${ingress.url} feeds the engine and both builders`,
  )
  return {
    engine: engine!,
    replica: replica!,
    builders: BUILDER_NAMES.map((name, i) => ({ name, handle: handles[i]!, engine: builderEngines[i]! })),
    sequencer,
    ingress,
  }
}

const GUARDS: ReadonlySet<string> = new Set(['min_gas_ratio', 'known_block', 'version_mismatch'])

/** Blocks per source and every reason a builder block was not used, from the sequencer's events. */
function countBlocks(seq: SequencerHandle, s: SequencerStats): void {
  seq.events.on('sealed', (e) => {
    s.blocks++
    s.bySource.add(e.source === 'builder' ? (e.builder ?? 'builder') : 'local')
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
