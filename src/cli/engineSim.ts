import type { Command } from './command.js'
import { formatHelp, loadConfig } from '../config/index.js'
import { engineSimOptions } from '../enginesim/config.js'
import { startEngineSim } from '../enginesim/startEngineSim.js'
import { readJwtSecret } from '../rpc/jwt.js'
import { createLogger } from '../util/logger.js'
import { onShutdown } from '../util/shutdown.js'

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
    const log = createLogger(config.logLevel).child({ role: 'engine-sim' })
    const handle = await startEngineSim({
      jwtSecret: readJwtSecret(config.jwtSecret),
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
