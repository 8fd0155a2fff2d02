import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
const missing = new Set<bigint>([7n])
let anvil: Anvil
let proxy: RpcProxy
let indexer: Indexer | undefined

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
  await indexer?.close()
  await proxy.close()
  await anvil.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('a block the endpoint keeps lacking below its head is logged once with its number, and its return too', async () => {
  let onLine: (l: LogLine) => void = () => {}
  const logs = captureLog((l) => onLine(l))
  /** The first line saying `msg`; rejects after 20 s so that a missing line fails the test, naming it. */
  const lineSaying = (msg: string) =>
    new Promise<LogLine>((resolve, reject) => {
      const seen = logs.lines.find((l) => l.msg === msg)
      if (seen) return resolve(seen)
      const timer = setTimeout(() => reject(new Error(`no line "${msg}" within 20 s`)), 20_000)
      onLine = (l) => {
        if (l.msg !== msg) return
        clearTimeout(timer)
        resolve(l)
      }
    })
  const lacking = lineSaying('the endpoint reports a head above a block it does not return; waiting')
  indexer = await startIndexer({
    chains: [{ url: proxy.url }],
    dbPath: join(dir, 'i.db'),
    backfillMs: 86_400_000,
    pollMs: 20,
    logger: logs.logger,
    progress: false,
  })
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
  await indexer.ready
  assert.ok(indexer.reader.block(907n, 7n), 'the block that was lacking is indexed')
  assert.is(
    logs.lines.filter((l) => l.msg === 'the endpoint reports a head above a block it does not return; waiting').length,
    1,
    'one line for the whole wait (the interval is a minute)',
  )
})

test.run()
