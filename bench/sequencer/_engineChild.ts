import { startEngineSim } from '../../src/enginesim/start.js'
import { createLogger } from '../../src/util/logger.js'

// Child-process entry for the sequencer benches: an engine-sim in its own process (its own core and
// GC, as geth next to op-node). Env: SG_BENCH_ENGINE_JWT (hex), SG_BENCH_GENESIS (unix s).
// Sends { url } to the parent; answers { stats: true } with how long engine_getPayload calls waited in
// the engine-sim's serial queue (behind newPayload validations, say) and ran; exits on disconnect.
const engine = await startEngineSim({
  execution: 'sim',
  jwtSecret: Buffer.from(process.env.SG_BENCH_ENGINE_JWT ?? '', 'hex'),
  chainId: 901,
  genesisTime: Number(process.env.SG_BENCH_GENESIS),
  logger: createLogger('silent'),
})

// Instrumentation: every engine_ call goes through sim.serial; getPayload reads the wait of its own turn.
const sim = engine.sim as unknown as {
  serial: <T>(fn: () => T | Promise<T>) => Promise<T>
  getPayload: (...a: unknown[]) => unknown
}
const serial = sim.serial.bind(engine.sim)
const getPayload = sim.getPayload.bind(engine.sim)
let turnWaitMs = 0
const waits: number[] = []
const runs: number[] = []
const calls: Record<string, number> = {}
sim.serial = <T>(fn: () => T | Promise<T>) => {
  const queued = performance.now()
  return serial(() => {
    turnWaitMs = performance.now() - queued
    return fn()
  })
}
sim.getPayload = (...a: unknown[]) => {
  waits.push(turnWaitMs)
  const t = performance.now()
  try {
    return getPayload(...a)
  } finally {
    runs.push(performance.now() - t)
  }
}
const newPayload = (engine.sim as unknown as { newPayload: (...a: unknown[]) => Promise<unknown> }).newPayload.bind(
  engine.sim,
)
;(engine.sim as unknown as { newPayload: (...a: unknown[]) => Promise<unknown> }).newPayload = (...a: unknown[]) => {
  calls.newPayload = (calls.newPayload ?? 0) + 1
  return newPayload(...a)
}

process.send!({ url: engine.url })
process.on('message', (m: { stats?: boolean }) => {
  if (m.stats)
    process.send!({
      stats: { getPayloadWaitMs: waits.splice(0), getPayloadRunMs: runs.splice(0), newPayloads: calls.newPayload ?? 0 },
    })
})
process.on('disconnect', () => {
  void engine.close().finally(() => process.exit(0))
})
