import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { UpstreamUnavailableError } from '../../src/ingress/errors.js'
import { Forwarder } from '../../src/ingress/forwarder.js'
import { captureLog } from '../_helpers/captureLog.js'
import { startUpstreamDouble } from '../_helpers/upstreamDouble.js'
import { TcpPipe } from '../faults/tcpPipe.js'

// The ingress's upstream down: every call answers "upstream unavailable" (HTTP 503), the failure is
// logged once per interval with a count, not once per request, and once when the upstream answers
// again (before: no line said it was back, and the count of the last failures was never written).

test('forwarder: upstream down for 20 calls: one warning, then one recovery line with the count', async () => {
  const upstream = await startUpstreamDouble({ chainId: 901n })
  const pipe = await TcpPipe.start(upstream.url)
  const { logger: log, lines } = captureLog()
  const fwd = new Forwarder(pipe.url, [], { upstreamTimeoutMs: 500, builderTimeoutMs: 500, log })
  try {
    assert.is(await fwd.call('eth_chainId', []), '0x385')
    await pipe.kill('refuse')
    for (let i = 0; i < 20; i++) {
      const err = await fwd.call('eth_chainId', []).then(
        () => undefined,
        (e: unknown) => e,
      )
      assert.instance(err, UpstreamUnavailableError)
    }
    const warned = lines.filter((l) => l.msg === 'upstream call failed')
    assert.is(warned.length, 1)
    assert.match(String(warned[0]!.err), /ECONN|socket/, 'the transport error is in the log')
    await pipe.restore()
    assert.is(await fwd.call('eth_chainId', []), '0x385')
    const back = lines.filter((l) => l.msg === 'upstream call failed: recovered')
    assert.is(back.length, 1, JSON.stringify(lines))
    assert.is(back[0]!.failures, 20)
  } finally {
    fwd.close()
    await pipe.close()
    await upstream.close()
  }
})

test.run()
