import { startEngineSim } from '../../src/enginesim/startEngineSim.js'
import { createLogger } from '../../src/util/logger.js'

// Child-process entry for the sequencer benches: an engine-sim in its own process (its own core and
// GC, like geth next to op-node). Env: SG_BENCH_ENGINE_JWT (hex), SG_BENCH_GENESIS (unix s).
// Sends { url } to the parent; exits when the parent disconnects.
const engine = await startEngineSim({
  jwtSecret: Buffer.from(process.env.SG_BENCH_ENGINE_JWT ?? '', 'hex'),
  chainId: 901,
  genesisTime: Number(process.env.SG_BENCH_GENESIS),
  logger: createLogger('silent'),
})
process.send!({ url: engine.url })
process.on('disconnect', () => { void engine.close().finally(() => process.exit(0)) })
