import { engineSimSpec } from '../enginesim/options.js'
import { readJwtSecret } from '../rpc/jwt.js'
import { listenerLimits } from '../rpc/limits.js'
import { serviceCommand } from './serve.js'

export const command = serviceCommand({
  summary: 'OP execution-engine double (Engine API V3/V4 with JWT) for tests and the devnet',
  usage: 'superguard engine-sim --jwt-secret FILE [options]',
  description: 'An OP execution-engine double: Engine API V3/V4 with JWT, eth_ methods, a mempool, fault injection.',
  spec: engineSimSpec,
  async start(config, logger) {
    // Read once by the spec's check already: a bad file was a config error (exit 2).
    const jwtSecret = readJwtSecret(config.jwtSecret)
    // Loaded after the options are valid, so --help and usage errors skip fastify and viem.
    const { startEngineSim } = await import('../enginesim/start.js')
    const { parseGenesisJson } = await import('../evm/genesis.js')
    const { readFileSync } = await import('node:fs')
    const genesis = config.genesis ? parseGenesisJson(JSON.parse(readFileSync(config.genesis, 'utf8'))) : undefined
    return startEngineSim({
      execution: config.execution,
      ...(genesis ? { genesis } : {}),
      jwtSecret,
      host: config.host,
      port: config.port,
      chainId: config.chainId,
      genesisTime: config.genesisTime,
      gasLimit: config.gasLimit,
      fork: config.fork,
      mempoolSize: config.mempoolSize,
      txpool: {
        priceLimit: BigInt(config.txpoolPriceLimit),
        accountSlots: config.txpoolAccountSlots,
        globalSlots: config.txpoolGlobalSlots,
        accountQueue: config.txpoolAccountQueue,
        globalQueue: config.txpoolGlobalQueue,
      },
      faults: {
        latencyMs: config.latency,
        failRate: config.failRate,
        invalidEvery: config.invalidEvery,
        errorMethods: [...config.errorMethod],
      },
      logger: logger.child({ role: 'engine-sim' }),
      limits: listenerLimits(config),
      maxResponseBytes: config.maxResponseBytes,
    })
  },
})
