import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import { type Indexer, startIndexer } from '../../src/logindex/index.js'
import { captureLog, type LogLine } from '../_helpers/captureLog.js'
import { type RpcProxy, startRpcProxy } from '../_helpers/rpcProxy.js'

/**
 * An endpoint that reports its head but keeps answering null for a block below it (a backend
 * missing history behind a load balancer): the indexer waits, as before, and now says why, once,
 * with the block; when the block comes back it says so and indexes on.
 */

const dir = mkdtempSync(join(tmpdir(), 'sg-lacking-'))
const missing = new Map<bigint, number>([[7n, Number.POSITIVE_INFINITY]])
let anvil: Anvil
let proxy: RpcProxy
const indexers: Indexer[] = []
const LACKING = 'the endpoint reports a head above a block it does not return; waiting'

/** `p`, or a rejection naming `what` after 20 s: a test that waits for something that never comes fails. */
function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within 20 s`)), 20_000)
  })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}

test.before(async () => {
  anvil = await startAnvil({ chainId: 907 })
  await fetch(anvil.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'anvil_mine', params: ['0x14'] }),
  })
  proxy = await startRpcProxy(anvil.url, { missingBlocks: missing })
})

test.after(async () => {
  for (const i of indexers) await i.close()
  await proxy.close()
  await anvil.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** An indexer of the proxy, polling every 20 ms, stopped after the tests. */
async function index(dbName: string, logger: Logger): Promise<Indexer> {
  const indexer = await startIndexer({
    chains: [{ url: proxy.url }],
    dbPath: join(dir, dbName),
    backfillMs: 86_400_000,
    pollMs: 20,
    logger,
    progress: false,
  })
  indexers.push(indexer)
  return indexer
}

test('a block the endpoint keeps lacking below its head is logged once with its number, and its return too', async () => {
  let onLine: (l: LogLine) => void = () => {}
  const logs = captureLog((l) => onLine(l))
  const lineSaying = (msg: string) =>
    within(
      new Promise<LogLine>((resolve) => {
        const seen = logs.lines.find((l) => l.msg === msg)
        if (seen) return resolve(seen)
        onLine = (l) => l.msg === msg && resolve(l)
      }),
      `a line "${msg}"`,
    )
  const lacking = lineSaying(LACKING)
  const indexer = await index('i.db', logs.logger)
  const warned = await lacking
  assert.is(warned.level, 40)
  assert.is(warned.missing, '7')
  assert.is(warned.chainId, '907')
  assert.ok(Number(warned.head) >= 20)
  assert.is(warned.errClass, 'MissingBlockError')
  assert.is(indexer.reader.head(907n, 'unsafe'), undefined, 'nothing past the gap is indexed')
  const back = lineSaying('the endpoint returns the block it lacked; indexing again')
  missing.clear()
  const recovered = await back
  assert.is(recovered.level, 30)
  await within(indexer.ready, 'the index ready')
  assert.ok(indexer.reader.block(907n, 7n), 'the block that was lacking is indexed')
  assert.is(
    logs.lines.filter((l) => l.msg === LACKING).length,
    1,
    'one line for the whole wait (the interval is a minute)',
  )
})

test('a block lacking for two polls only (a node between its head and its block) logs nothing', async () => {
  missing.set(9n, 2)
  const logs = captureLog()
  const indexer = await index('j.db', logs.logger)
  await within(indexer.ready, 'the index ready')
  assert.is(missing.has(9n), false, 'the proxy answered null for block 9 twice')
  assert.ok(indexer.reader.block(907n, 9n))
  assert.equal(
    logs.lines.filter((l) => l.level >= 40).map((l) => l.msg),
    [],
  )
})

test.run()
