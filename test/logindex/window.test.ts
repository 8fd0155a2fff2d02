import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import {
  type DevChain,
  DevSigner,
  emitInitiating,
  type InitiatingMessage,
  setupChain,
} from '../../src/devnet/messages.js'
import { type Indexer, startIndexer } from '../../src/logindex/index.js'
import { createLogger } from '../../src/util/logger.js'
import { captureLog } from '../_helpers/captureLog.js'
import { untilIndexed } from '../_helpers/untilIndexed.js'

const H = 3600
const now = Math.floor(Date.now() / 1000)
const dir = mkdtempSync(join(tmpdir(), 'sg-window-'))
let anvil: Anvil
let chain: DevChain
const indexers: Indexer[] = []
/** Messages by age in minutes. */
const byAge = new Map<number, InitiatingMessage>()

test.before(async () => {
  // Genesis 4 h ago, then one message per age, each in a block stamped at now - age.
  anvil = await startAnvil({ chainId: 905, args: ['--timestamp', String(now - 4 * H)] })
  chain = await setupChain(anvil.url)
  const signer = new DevSigner()
  for (const age of [150, 90, 30, 0]) {
    await chain.client.request({
      method: 'evm_setNextBlockTimestamp' as never,
      params: [`0x${(now - age * 60).toString(16)}`] as never,
    })
    const [m] = await emitInitiating(chain, signer)
    byAge.set(age, m!)
  }
})

test.after(async () => {
  for (const i of indexers) await i.close()
  await anvil.stop()
  rmSync(dir, { recursive: true, force: true })
})

const find = (i: Indexer, age: number) => {
  const m = byAge.get(age)!
  return i.reader.findLog(chain.chainId, m.identifier.blockNumber, m.identifier.logIndex)
}

/** An indexer with a 7-day backfill and a 2 h expiry window on the test's clock (`now`, in ms). */
async function startExpiring(
  dbName: string,
  now: () => number,
  opts: Pick<Parameters<typeof startIndexer>[0], 'pruneIntervalMs' | 'pruneStep'> & {
    logger?: Parameters<typeof startIndexer>[0]['logger']
  },
): Promise<Indexer> {
  const i = await startIndexer({
    chains: [{ url: anvil.url }],
    dbPath: join(dir, dbName),
    backfillMs: 7 * 24 * H * 1000,
    expiryMs: 2 * H * 1000,
    now,
    pollMs: 20,
    progress: false,
    ...opts,
    logger: opts.logger ?? createLogger('silent'),
  })
  indexers.push(i)
  await i.ready
  return i
}

test('backfill starts at the first block inside the window', async () => {
  const i = await startIndexer({
    chains: [{ url: anvil.url }],
    dbPath: join(dir, 'a.db'),
    backfillMs: H * 1000,
    pollMs: 50,
    logger: createLogger('silent'),
    progress: false,
  })
  indexers.push(i)
  await i.ready
  const first = byAge.get(30)!.identifier.blockNumber
  assert.ok(i.reader.block(chain.chainId, first), 'the 30-minute-old block is indexed')
  assert.is(i.reader.block(chain.chainId, first - 1n), undefined, 'nothing older than one hour')
  assert.is(find(i, 90), undefined)
  assert.ok(find(i, 30))
  assert.ok(find(i, 0))
})

test('the backfill window is capped at the expiry window, then expired rows are pruned', async () => {
  let clock = now * 1000
  const i = await startExpiring('b.db', () => clock, { pruneIntervalMs: 0 })
  assert.is(find(i, 150), undefined, 'older than the expiry window: not backfilled')
  assert.ok(find(i, 90))
  // An hour later the 90-minute-old message is past the 2 h window.
  clock += H * 1000
  const cut = byAge.get(90)!.identifier.blockNumber
  await untilIndexed(i, 'prune past the 90-minute-old block', () => i.reader.block(chain.chainId, cut) === undefined)
  assert.is(find(i, 90), undefined, 'its logs are gone too')
  assert.ok(find(i, 30))
  assert.ok(find(i, 0))
  const kept = byAge.get(30)!.identifier.blockNumber
  assert.ok(i.reader.block(chain.chainId, kept), 'recent blocks stay')
  assert.is(i.reader.head(chain.chainId, 'unsafe')!.number, byAge.get(0)!.identifier.blockNumber)
})

test('a backlog of expired blocks is pruned in one-block steps without waiting for the prune interval', async () => {
  let clock = now * 1000
  const logs = captureLog()
  const i = await startExpiring('c.db', () => clock, {
    pruneIntervalMs: 3_600_000,
    pruneStep: { logs: 1, blocks: 1 },
    logger: logs.logger,
  })
  const cut = byAge.get(90)!.identifier.blockNumber
  const first = i.reader.block(chain.chainId, cut)
  assert.ok(first, 'the 90-minute-old block is indexed')
  // 100 minutes on, the 90- and 30-minute-old blocks are past the 2 h window: one step each, back to
  // back (the interval is an hour), the head kept.
  clock += 100 * 60 * 1000
  const doneLine = () => logs.lines.find((l) => l.msg === 'pruned the backlog of expired blocks')
  await untilIndexed(i, 'the backlog pruned', () => doneLine() !== undefined)
  assert.is(i.reader.block(chain.chainId, cut), undefined, 'the 190-minute-old block is gone')
  assert.is(find(i, 30), undefined, 'the 130-minute-old log is gone')
  assert.ok(find(i, 0))
  assert.ok(logs.lines.some((l) => l.msg === 'pruning a backlog of expired blocks in steps'))
  assert.ok(Number(doneLine()!.steps) > 1, `steps: ${doneLine()!.steps}`)
})

test.run()
