import { engineSimOptions } from '../enginesim/config.js'
import { readJwtSecret } from '../rpc/jwt.js'
import { listenerLimits } from '../rpc/limits.js'
import { serviceCommand } from './serve.js'

class JwtSecretError extends Error {}

export const command = serviceCommand({
  role: 'engine-sim',
  summary: 'OP execution-engine double (Engine API V3/V4 with JWT) for tests and the devnet',
  usage: 'superguard engine-sim --jwt-secret FILE [options]',
  description: 'An OP execution-engine double: Engine API V3/V4 with JWT, eth_ methods, a mempool, fault injection.',
  options: engineSimOptions,
  async start(config, logger) {
    let jwtSecret: Buffer
    try {
      jwtSecret = readJwtSecret(config.jwtSecret)
    } catch (err) {
      throw new JwtSecretError(`--jwt-secret: ${(err as Error).message}`)
    }
    // Loaded after the options are valid, so --help and usage errors skip fastify and viem.
    const { startEngineSim } = await import('../enginesim/startEngineSim.js')
    return startEngineSim({
      jwtSecret,
      host: config.host,
      port: config.port,
      chainId: config.chainId,
      genesisTime: config.genesisTime,
      gasLimit: config.gasLimit,
      fork: config.fork,
      mempoolSize: config.mempoolSize,
      faults: { latencyMs: config.latency, failRate: config.failRate, invalidEvery: config.invalidEvery, errorMethods: [...config.errorMethod] },
      logger: logger.child({ role: 'engine-sim' }),
      limits: listenerLimits(config),
      maxResponseBytes: config.maxResponseBytes,
    })
  },
  isConfigError: (err) => err instanceof JwtSecretError,
})
