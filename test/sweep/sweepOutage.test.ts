import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createRegistry } from '../../src/rpc/metrics.js'
import { startSweep } from '../../src/sweep/start.js'
import { freePort } from '../../src/util/freePort.js'
import { captureLog } from '../_helpers/captureLog.js'

// An interval sweep whose txpool source is down fails every round: it logs once per interval with
// a count (before: one warning per round, every --interval, for as long as the source is down).

test('interval sweep, source down: 20 failed rounds, one warning', async () => {
  const { logger, lines } = captureLog()
  const registry = createRegistry()
  const dead = `http://127.0.0.1:${await freePort()}`
  const sweep = await startSweep(
    {
      source: 'txpool',
      rpc: dead,
      mode: 'supervisor',
      supervisor: dead,
      chainId: 902n,
      intervalMs: 10,
      requestTimeoutMs: 500,
      threads: 1,
    },
    { logger, registry },
  )
  try {
    // No event marks a failed round: read the failure counter, bounded.
    let failed = 0
    for (const deadline = Date.now() + 10_000; Date.now() < deadline && failed < 20; ) {
      const m = /superguard_sweep_rounds_total\{result="error"\} (\d+)/.exec(await registry.metrics())
      failed = m ? Number(m[1]) : 0
      if (failed < 20) await new Promise((r) => setTimeout(r, 20))
    }
    assert.ok(failed >= 20, `${failed} failed rounds`)
    const warned = lines.filter((l) => l.msg === 'sweep round failed')
    assert.is(warned.length, 1, `${warned.length} warnings for ${failed} failed rounds`)
    assert.is(warned[0]!.level, 40)
  } finally {
    await sweep.close()
  }
})

test.run()
