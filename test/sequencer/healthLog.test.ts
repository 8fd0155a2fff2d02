import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { RpcClient } from '../../src/rpc/client.js'
import { HealthMonitor } from '../../src/sequencer/health.js'
import { captureLog } from '../_helpers/captureLog.js'

// A status that gets worse is a warning; one that gets better is an info line. A builder coming
// back while the devnet stopped logged "health changed partial→healthy" at warn level, and the
// devnet's "no warning while stopping" test failed on it under load.
test('health changes: worse is a warning, better is info', () => {
  const { logger: log, lines } = captureLog()
  let buildersOk = true
  const engine = new RpcClient('http://127.0.0.1:9', { timeoutMs: 10 })
  const h = new HealthMonitor({
    engine,
    builders: () => [{ id: 'a', ok: buildersOk }],
    mode: () => 'enabled',
    intervalMs: 1000,
    maxUnsafeAgeMs: 0,
    log,
  })
  assert.is(h.status(), 'healthy')
  buildersOk = false
  assert.is(h.status(), 'partial')
  h.engine.failure(new Error('down'))
  assert.is(h.status(), 'unhealthy')
  h.engine.success()
  assert.is(h.status(), 'partial')
  buildersOk = true
  assert.is(h.status(), 'healthy')
  engine.close()
  assert.equal(
    lines.filter((l) => l.msg === 'health changed').map((l) => [l.from, l.to, l.level]),
    [
      ['healthy', 'partial', 40],
      ['partial', 'unhealthy', 40],
      ['unhealthy', 'partial', 30],
      ['partial', 'healthy', 30],
    ],
  )
})

test.run()
