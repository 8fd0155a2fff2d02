import { once } from 'node:events'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { rpcClient } from '../../src/check/rpcChain.js'

/**
 * The check backend's RPC client against a real loopback server whose answer stalls after its
 * headers: viem's timeout ends with the headers, so without a bound on the body each such call
 * held its limiter slot for undici's 300 s body timeout.
 */

const held = new Set<ServerResponse>()
const server = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    held.add(res)
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 })
    res.write('{')
    server.emit('held')
  })
})

test.before(async () => {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
})

test.after(async () => {
  for (const res of held) res.destroy()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

test('a body that stalls after its headers fails the call within the request timeout', async () => {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const headersSent = once(server, 'held')
  const pending = rpcClient(url, 300)
    .request({ method: 'eth_chainId' })
    .then(
      () => 'answered',
      (e: unknown) => e,
    )
  let guard: NodeJS.Timeout | undefined
  const late = new Promise((resolve) => {
    guard = setTimeout(() => resolve('still waiting after 10 s'), 10_000)
  })
  const first = await Promise.race([headersSent.then(() => 'held'), pending, late])
  assert.is(first, 'held', 'the server sent the headers')
  const out = await Promise.race([pending, late])
  clearTimeout(guard)
  assert.instance(out, Error)
  assert.match(
    String((out as Error & { details?: string }).details ?? (out as Error).message),
    /no complete response within 300 ms/,
  )
})

test.run()
