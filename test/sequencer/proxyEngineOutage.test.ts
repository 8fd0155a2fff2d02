import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startEngineSim } from '../../src/enginesim/start.js'
import { sequencerConfig, startSequencer } from '../../src/sequencer/start.js'
import { captureLog } from '../_helpers/captureLog.js'
import { jsonRpc } from '../_helpers/jsonRpc.js'
import { TcpPipe } from '../faults/tcpPipe.js'
import { bearer, CHAIN_ID, jwtFile } from './_env.js'

// Proxy mode with the engine unreachable: op-node's calls answer -32603 "execution engine
// unavailable", a stable text (before: the transport's words, "…: connect ECONNREFUSED
// 127.0.0.1:<port>", an internal address), and the detail is logged once per interval with a
// count, then once when the engine is back.

test('proxy mode, engine down: a stable -32603 for op-node, the detail logged once per interval, recovery logged', async () => {
  const engineJwt = jwtFile()
  const opJwt = jwtFile()
  const engine = await startEngineSim({ execution: 'sim', jwtSecret: engineJwt.secret, chainId: CHAIN_ID })
  const pipe = await TcpPipe.start(engine.url)
  const { logger, lines } = captureLog()
  const seq = await startSequencer(
    sequencerConfig({
      engine: `${pipe.url},jwt=${engineJwt.path}`,
      jwtSecret: opJwt.path,
      listenEngine: '127.0.0.1:0',
      listenBuilder: '127.0.0.1:0',
      listenDebug: '127.0.0.1:0',
      maxUnsafeAge: 0,
      healthInterval: 60_000,
      failureLogInterval: 60_000,
    }),
    { logger },
  )
  const call = () => jsonRpc(seq.urls.engine!, 'eth_blockNumber', [], bearer(opJwt.secret))
  try {
    assert.ok((await call()).result)
    await pipe.kill('refuse')
    for (let i = 0; i < 20; i++) {
      const r = await call()
      assert.equal(r.error, { code: -32603, message: 'execution engine unavailable' })
    }
    const failed = lines.filter((l) => l.msg.startsWith('engine call failed'))
    assert.is(failed.length, 1, JSON.stringify(lines.slice(-5)))
    assert.is(failed[0]!.level, 40)
    assert.match(String(failed[0]!.err), /ECONNREFUSED/, 'the detail is in the log')
    await pipe.restore()
    assert.ok((await call()).result)
    const back = lines.filter((l) => l.msg === 'engine call failed: op-node answered -32603: recovered')
    assert.is(back.length, 1)
    assert.is(back[0]!.failures, 20)
  } finally {
    await seq.close()
    await pipe.close()
    await engine.close()
  }
})

test.run()
