import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { formatHelp, loadConfig } from '../config/index.js'
import { createLimitedServer, listenerLimits } from '../rpc/listenerLimits.js'
import { formatTable, startSweep, summary, sweepSpec } from '../sweep/index.js'
import { buildInfo } from '../util/buildInfo.js'
import { createLogger } from '../util/logger.js'
import { onShutdown } from '../util/shutdown.js'
import type { Command } from './command.js'

const SUMMARY = [
  "Mempool interval sweep: collects the interop transactions of an execution client's txpool, checks",
  'their de-duplicated accesses in chunks on a worker pool (one JSON-RPC batch per chunk to a supervisor,',
  "read-only look-ups in the supervisor's index file, or eth_getLogs), and classifies each transaction:",
  'valid, evict (-320600, -320601, -321501, parse errors, first seen beyond --window) or keep (anything',
  'transient: -321401, -320400, -321100, timeouts, transport errors). Without --interval: one round, a',
  'report on stdout (a table, or --json), exit code 1 if the round failed.',
].join('\n')

const USAGE =
  'superguard sweep --rpc URL (--supervisor URL | --mode index --index PATH | --mode rpc --chain-rpc URL ...) [--interval 2s] [options]'

export const command: Command = {
  summary: 'mempool interval sweep (txpool_content, batched checks on a worker pool)',
  async run(argv, env) {
    const { config, help } = loadConfig(sweepSpec, { argv, env })
    if (help) {
      process.stdout.write(formatHelp(USAGE, SUMMARY, sweepSpec))
      return
    }
    // Reports (one-shot, or --json) own stdout; logs then go to stderr so the two never mix.
    // One-shot logs only warnings unless asked: the report already says what the round did.
    const oneShot = config.intervalMs === undefined
    const level = oneShot && config.logLevel === 'info' ? 'warn' : config.logLevel
    const logger = createLogger(level, { fd: oneShot || config.json ? 2 : 1 })
    logger.info(buildInfo(), 'superguard sweep starting')
    const sweep = await startSweep(config, {
      logger,
      // Interval rounds print their summary (counts, durations), not every transaction.
      onReport: oneShot || !config.json ? undefined : (r) => process.stdout.write(`${JSON.stringify(summary(r))}\n`),
    })
    if (oneShot) {
      try {
        const report = await sweep.runOnce()
        process.stdout.write(config.json ? `${JSON.stringify(report)}\n` : formatTable(report))
      } catch (err) {
        process.stderr.write(`sweep round failed: ${(err as Error).message}\n`)
        process.exitCode = 1
      } finally {
        await sweep.close()
      }
      return
    }
    let metrics: Server | undefined
    if (config.metricsPort !== undefined) {
      // Same timeouts and connection cap as every JSON-RPC listener (a plain node:http server has none).
      metrics = createLimitedServer(
        listenerLimits(config),
        (req, res) => {
          if (req.method === 'GET' && req.url === '/healthz') {
            // Always 200: a sweep in failsafe is healthy, it is keeping transactions on purpose.
            res
              .writeHead(200, { 'content-type': 'application/json' })
              .end(JSON.stringify({ status: 'ok', failsafe: sweep.failsafe }))
            return
          }
          if (req.method !== 'GET' || req.url !== '/metrics') {
            res.writeHead(req.url === '/metrics' ? 405 : 404, req.url === '/metrics' ? { allow: 'GET' } : {}).end()
            return
          }
          sweep.registry.metrics().then(
            (text) => res.writeHead(200, { 'content-type': sweep.registry.contentType }).end(text),
            () => res.writeHead(500).end(),
          )
        },
        { name: 'sweep-metrics', logger, registry: sweep.registry },
      ).server
      try {
        await new Promise<void>((resolve, reject) =>
          metrics!.once('error', reject).listen(config.metricsPort, config.host, resolve),
        )
      } catch (err) {
        // The pool is running: stop it, or the process outlives its own failure (EADDRINUSE: exit 2 in main).
        await sweep.close()
        throw err
      }
      logger.info(
        { url: `http://${config.host}:${(metrics.address() as AddressInfo).port}/metrics` },
        'sweep metrics listening',
      )
    }
    await new Promise<void>((resolve) =>
      onShutdown(logger, async () => {
        metrics?.close()
        await sweep.close()
        resolve()
      }),
    )
  },
}
