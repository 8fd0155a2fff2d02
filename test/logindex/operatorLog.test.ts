import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import { startIndexer } from '../../src/logindex/start.js'
import { captureLog, type LogLine } from '../_helpers/captureLog.js'
import { TcpPipe } from '../faults/tcpPipe.js'

// What an operator reads when a chain endpoint fails under the indexer, and when it restarts:
// one short line per interval (class, message, URL, method; no request body, no stack), and
// `resumed at block N` per chain over an existing index.

let anvil: Anvil
let dir: string

test.before(async () => {
  anvil = await startAnvil({ chainId: 901, args: ['--block-time', '1'] })
  dir = mkdtempSync(join(tmpdir(), 'sg-oplog-'))
})

test.after(async () => {
  await anvil.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** Resolves with the first captured line that satisfies `fn`, or rejects after `ms` (no event tells of a log line). */
function lineWhere(lines: LogLine[], fn: (l: LogLine) => boolean, ms = 10_000): Promise<LogLine> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms
    const tick = () => {
      const hit = lines.find(fn)
      if (hit) return resolve(hit)
      if (Date.now() > deadline) return reject(new Error(`no such line in ${JSON.stringify(lines.map((l) => l.msg))}`))
      setTimeout(tick, 25)
    }
    tick()
  })
}

test('a failing endpoint: one short line per interval, then recovered; a restart says where it resumes', async () => {
  const pipe = await TcpPipe.start(anvil.url)
  const db = join(dir, 'index.db')
  const first = captureLog()
  const indexer = await startIndexer({
    chains: [{ url: pipe.url }],
    dbPath: db,
    backfillMs: 60_000,
    pollMs: 50,
    logger: first.logger,
    progress: false,
  })
  try {
    await indexer.ready
    await pipe.kill('refuse')
    const failed = await lineWhere(first.lines, (l) => l.msg === 'indexing failed; retrying')
    const text = JSON.stringify(failed)
    assert.ok(text.length < 600, `one short line, got ${text.length} bytes: ${text}`)
    assert.is(failed.level, 40)
    assert.is(failed.chainId, '901')
    assert.is(failed.url, pipe.url)
    assert.type(failed.errClass, 'string')
    assert.match(String(failed.err), /ECONNREFUSED/)
    assert.not.match(text, /Request body|"stack"|\\n {4}at |Version: viem/)
    assert.is(failed.failures, 1)
    // The backoff retries (250 ms, 500 ms, …) within the 10 s interval write no further line.
    await new Promise((r) => setTimeout(r, 1_000))
    assert.is(first.lines.filter((l) => l.msg === 'indexing failed; retrying').length, 1)
    await pipe.restore()
    const back = await lineWhere(first.lines, (l) => l.msg === 'indexing failed; retrying: recovered')
    assert.ok((back.failures as number) >= 2, JSON.stringify(back))
  } finally {
    await indexer.close()
  }
  const head = indexer.reader.head(901n, 'unsafe')
  const second = captureLog()
  const again = await startIndexer({
    chains: [{ url: pipe.url }],
    dbPath: db,
    backfillMs: 60_000,
    pollMs: 50,
    logger: second.logger,
    progress: false,
  })
  try {
    const resumed = await lineWhere(second.lines, (l) => /^resumed at block \d+$/.test(l.msg))
    assert.is(resumed.chainId, '901')
    assert.is(resumed.block, String(head?.number))
    assert.is(resumed.msg, `resumed at block ${head?.number}`)
  } finally {
    await again.close()
    await pipe.close()
  }
})

test.run()
