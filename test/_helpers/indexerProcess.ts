/**
 * A tiny indexer process for crash tests: runs startIndexer from argv and prints one line per
 * event on stdout (`commit <chainId> <number>`, `reorg <chainId> <number>`, `ready`), so a test
 * can kill it at a known point. SIGTERM closes it cleanly.
 *
 *   node indexerProcess.js --db <path> --rpc <url> [--rpc <url>…] [--max-range N] [--backfill-ms N]
 */
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { parseChainEndpoint, startIndexer } from '../../src/logindex/index.js'
import { createLogger } from '../../src/util/logger.js'

/** Path of the compiled helper, for `spawn(process.execPath, [INDEXER_PROCESS, ...args])`. */
export const INDEXER_PROCESS = fileURLToPath(import.meta.url)

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      rpc: { type: 'string', multiple: true },
      'max-range': { type: 'string', default: '1000' },
      'backfill-ms': { type: 'string', default: String(7 * 86_400_000) },
      'poll-ms': { type: 'string', default: '50' },
    },
  })
  if (!values.db || !values.rpc?.length) throw new Error('usage: indexerProcess --db <path> --rpc <url>…')
  const indexer = await startIndexer({
    chains: values.rpc.map(parseChainEndpoint),
    dbPath: values.db,
    backfillMs: Number(values['backfill-ms']),
    pollMs: Number(values['poll-ms']),
    maxRange: Number(values['max-range']),
    logger: createLogger('silent'),
    progress: false,
  })
  const out = (line: string) => process.stdout.write(`${line}\n`)
  indexer.on('commit', (chainId, head) => out(`commit ${chainId} ${head.number}`))
  indexer.on('reorg', (e) => out(`reorg ${e.chainId} ${e.to?.number ?? -1}`))
  indexer.ready.then(
    () => out('ready'),
    () => {},
  )
  process.once('SIGTERM', () => {
    indexer.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  })
}

if (process.argv[1] === INDEXER_PROCESS) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`)
    process.exit(1)
  })
}
