import type { Command } from './command.js'
import { ConfigError, formatHelp, loadConfig } from '../config/index.js'
import { engineSimOptions } from '../enginesim/config.js'
import { readJwtSecret } from '../rpc/jwt.js'

const USAGE = 'superguard engine-sim --jwt-secret FILE [options]'
const SUMMARY = 'An OP execution-engine double: Engine API V3/V4 with JWT, eth_ methods, a mempool, fault injection.'

export const command: Command = {
  summary: SUMMARY,
  async run(argv, env) {
    const { config, help } = loadConfig('engine-sim', engineSimOptions, { argv, env })
    if (help) {
      process.stdout.write(formatHelp(USAGE, SUMMARY, engineSimOptions))
      return
    }
    let jwtSecret: Buffer
    try {
      jwtSecret = readJwtSecret(config.jwtSecret)
    } catch (err) {
      throw new ConfigError('engine-sim', [`--jwt-secret: ${(err as Error).message}`])
    }
    // Loaded after the options are valid, so --help and usage errors skip fastify and viem.
    const [{ startEngineSim }, { createLogger }, { onShutdown }] = await Promise.all([
      import('../enginesim/startEngineSim.js'), import('../util/logger.js'), import('../util/shutdown.js'),
    ])
    const log = createLogger(config.logLevel).child({ role: 'engine-sim' })
    const handle = await startEngineSim({
      jwtSecret,
      host: config.host,
      port: config.port,
      chainId: config.chainId,
      genesisTime: config.genesisTime,
      gasLimit: config.gasLimit,
      fork: config.fork,
      mempoolSize: config.mempoolSize,
      faults: { latencyMs: config.latency, failRate: config.failRate, invalidEvery: config.invalidEvery, errorMethods: [...config.errorMethod] },
      logger: log,
    })
    await new Promise<void>((resolve) => onShutdown(log, async () => { await handle.close(); resolve() }))
  },
}
