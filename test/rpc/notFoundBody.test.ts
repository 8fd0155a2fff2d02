import { type AddressInfo, connect } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createRpcServer } from '../../src/rpc/index.js'
import { createLogger } from '../../src/util/logger.js'

// A listener with a large body limit (engine-sim's and the engine proxy's are 32–64 MiB, guarded
// for POST only) must not read the body of a request it will refuse: before the fix, fastify read a
// PUT's whole body with the listener's limit, then answered 405 — eight 32 MiB PUTs cost ~470 MB.

/** Sends `head` (headers announcing a large body) and no body; resolves with the status line the server answers. */
function statusLine(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head))
    let got = ''
    socket.on('data', (d) => {
      got += d.toString('latin1')
      const end = got.indexOf('\r\n')
      if (end !== -1) {
        socket.destroy()
        resolve(got.slice(0, end))
      }
    })
    socket.on('error', reject)
    socket.on('close', () => resolve(got.split('\r\n', 1)[0] ?? ''))
  })
}

test('a refused method or path is answered before its body is read, whatever the body limit', async () => {
  const app = createRpcServer({
    methods: new Map(),
    logger: createLogger('silent'),
    bodyLimit: 32 * 1024 * 1024,
    limits: { requestTimeoutMs: 60_000, headersTimeoutMs: 5_000 },
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  try {
    const big = 'Content-Type: application/json\r\nContent-Length: 33554432\r\n\r\n'
    // Without the fix each of these waits for 32 MiB that never come (until the 60 s request timeout).
    assert.is(await statusLine(port, `PUT / HTTP/1.1\r\nHost: x\r\n${big}`), 'HTTP/1.1 405 Method Not Allowed')
    assert.is(await statusLine(port, `PATCH / HTTP/1.1\r\nHost: x\r\n${big}`), 'HTTP/1.1 405 Method Not Allowed')
    assert.is(await statusLine(port, `POST /elsewhere HTTP/1.1\r\nHost: x\r\n${big}`), 'HTTP/1.1 404 Not Found')
    assert.is(
      await statusLine(port, `DELETE /healthz HTTP/1.1\r\nHost: x\r\n${big}`),
      'HTTP/1.1 405 Method Not Allowed',
    )
  } finally {
    await app.close()
  }
})

test.run()
