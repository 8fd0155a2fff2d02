import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { privateKeyToAccount } from 'viem/accounts'
import { DEV_KEYS } from '../../src/devnet/messages.js'
import { devnetConfig } from '../../src/devnet/options.js'
import { type Devnet, startDevnet } from '../../src/devnet/start.js'
import type { DevnetStats } from '../../src/devnet/stats.js'
import { DEV_ACCOUNTS } from '../../src/evm/index.js'
import { toQuantity } from '../../src/util/hex.js'
import { createLogger } from '../../src/util/logger.js'
import { jsonRpc } from '../_helpers/jsonRpc.js'

// The small devnet end to end on engine-sim chains (EVM): interop transactions go ingress → the
// engine and the builders → a block the sequencer sealed → the supervisors index its
// ExecutingMessage log → cross-unsafe, and the check of its access list answers null; bad ones are
// refused at the ingress and never reach a block; a reorged-away message's transaction is evicted.

const builderLoop = (s: DevnetStats) => s.loops.find((l) => l.chainId === 902n && l.source.startsWith('builder-'))

/** What the library run waits for: every subsystem did its part at least once. */
function everyPartWorked(s: DevnetStats): boolean {
  const q = s.sequencers['902']
  return (
    s.traffic.valid >= 2 &&
    s.ingress.refused.total >= 1 &&
    s.sweep.evicted.total >= 1 &&
    builderLoop(s) !== undefined &&
    (q?.bySource.get('builder-a') ?? 0) + (q?.bySource.get('builder-b') ?? 0) >= 1 &&
    (q?.refused.get('min_gas_ratio') ?? 0) >= 1
  )
}

test('the dev keys are the genesis dev accounts, in order', () => {
  assert.equal(
    DEV_KEYS.map((k) => privateKeyToAccount(k).address.toLowerCase()),
    [...DEV_ACCOUNTS],
  )
})

test('the interop loop on engine-sim chains: accepted at the ingress, sealed by a builder, indexed, cross-unsafe, checked null; bad txs refused and never included; the sweep evicts a reorged-away one', async () => {
  const lines: string[] = []
  let printed = () => {}
  // A reorg after every round through ingress 902; --duration only bounds a hung run.
  const config = devnetConfig({
    argv: [
      ...['--duration', '60s', '--interval', '200ms', '--reorg-every', '1', '--sweep-interval', '500ms'],
      ...['--transfer-interval', '250ms', '--report', '1s'],
    ],
  })
  const devnet: Devnet = await startDevnet(config, createLogger('silent'), (l) => {
    lines.push(l)
    printed()
  })
  const log = () => lines.join('\n')
  try {
    while (!everyPartWorked(devnet.stats)) {
      const next = new Promise<void>((resolve) => {
        printed = resolve
      })
      const ended = await Promise.race([next.then(() => false), devnet.done.then(() => true)])
      if (ended) assert.unreachable(`the devnet ended before every part worked:\n${log()}`)
    }
    const s = devnet.stats
    const [, b] = devnet.chains
    // One executing transaction around the whole loop, looked at from outside the generator.
    const loop = builderLoop(s)!
    const receipt = (await jsonRpc(b.url, 'eth_getTransactionReceipt', [loop.txHash])).result as {
      blockHash: string
      status: string
    }
    assert.is(receipt.status, '0x1')
    assert.is(receipt.blockHash, loop.blockHash, 'sealed in the block the loop names')
    assert.ok(b.sourceOf(loop.blockHash)?.startsWith('builder-'), 'a builder built that block')
    const ix = devnet.supervisor.indexer!
    assert.is(ix.reader.block(902n, loop.blockNumber)?.hash, loop.blockHash, 'the index holds that block')
    assert.ok(ix.reader.findLog(902n, loop.blockNumber, loop.logIndex), 'and its ExecutingMessage log')
    assert.ok((ix.reader.head(902n, 'cross-unsafe')?.number ?? -1n) >= loop.blockNumber, 'the block is cross-unsafe')
    const answer = await jsonRpc(devnet.supervisor.url, 'supervisor_checkAccessList', [
      loop.entries,
      'cross-unsafe',
      { chainID: '902', timestamp: toQuantity(loop.timestamp) },
    ])
    assert.equal(answer.error, undefined, JSON.stringify(answer))
    assert.is(answer.result, null)
    // Refused at the ingress: no engine of 902 has ever seen them.
    assert.ok(s.refusedTxs.length >= 1)
    for (const hash of s.refusedTxs)
      for (const url of [b.url, ...b.builders.map((x) => x.engine.url)]) {
        assert.is((await jsonRpc(url, 'eth_getTransactionByHash', [hash])).result, null, `${hash} at ${url}`)
        assert.is((await jsonRpc(url, 'eth_getTransactionReceipt', [hash])).result, null)
      }

    assert.is(s.traffic.unexpected, 0, log())
    assert.is(s.traffic.refused, s.traffic.valid, `every forged copy is refused\n${log()}`)
    assert.ok(s.ingress.refused.get(-320600) >= 1, `the first bad transaction is a forged one\n${log()}`)
    assert.ok(
      lines.some((l) =>
        /ingress 902: accepted → block \d+ by (builder-[ab]|local) → ExecutingMessage \d+:\d+ indexed → cross-unsafe, check null; forged tx refused -320600 \(HTTP 409\)/.test(
          l,
        ),
      ),
      log(),
    )
    assert.ok(
      lines.some((l) => /^reorg: 901's sequencer rewound to block \d+ and sealed a new block \d+/.test(l)),
      log(),
    )
    // The new block at the reorged height has no such log, or (a later slot) another timestamp.
    assert.ok(
      lines.some((l) =>
        /^sweep round \d+: evicted 0x[0-9a-f]{8}… \(ConflictingData -320600: conflicting data: (no log \d+ in block \d+|timestamp mismatch: block \d+) of chain 901/.test(
          l,
        ),
      ),
      log(),
    )
    assert.is(
      s.sweep.evicted.get('ConflictingData'),
      s.sweep.evicted.total,
      `only reorged-away txs are evicted\n${log()}`,
    )
    assert.ok(s.sweep.evicted.total <= s.ingress.reorged, log())
    assert.is(
      b.ingress.acceptedSet.size,
      s.ingress.accepted - s.sweep.evicted.total,
      'evicted txs leave the accepted set',
    )
    assert.is(s.loop.checkedNull, s.loop.crossUnsafe, log())
    assert.is(s.transfers.failed, 0, log())
  } finally {
    await devnet.close()
  }
  assert.ok(lines.includes('stopped; totals:'), 'the totals are printed at the end')
  assert.ok(
    lines.some((l) => /^loop: \d+ executing txs accepted at an ingress → \d+ sealed \(/.test(l)),
    log(),
  )
  for (const c of devnet.chains) {
    const down = await fetch(c.url).then(
      () => false,
      () => true,
    )
    assert.ok(down, `engine-sim ${c.url} still listening`)
  }
})

test.run()
