import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pino } from 'pino'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { RpcChain } from '../../src/check/rpcChain.js'

// The rpc backend's head poll against an endpoint that is down: it keeps polling every pollMs
// (that is how it notices the endpoint is back), but logs the failure once per interval with a
// count, not once per poll (before: one warn line per poll, forever), and says when it recovers.

test('a head poll failing many times logs one warning, then one "recovered" line with the count', async () => {
  let up = false
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => {
      body += c.toString()
    })
    req.on('end', () => {
      if (!up) return res.writeHead(503).end('down')
      const { id } = JSON.parse(body) as { id: number }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          jsonrpc: '2.0',
          id,
          result: {
            number: '0x5',
            hash: `0x${'ab'.repeat(32)}`,
            parentHash: `0x${'cd'.repeat(32)}`,
            timestamp: '0x10',
          },
        }),
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const lines: { level: number; msg: string; failures?: number }[] = []
  const logger = pino(
    { level: 'debug' },
    {
      write: (s: string) => {
        lines.push(JSON.parse(s) as { level: number; msg: string })
      },
    },
  )
  let failed = 0
  let reached: () => void = () => {}
  const twenty = new Promise<void>((resolve) => {
    reached = resolve
  })
  let heads = 0
  let headSeen: () => void = () => {}
  const head = new Promise<void>((resolve) => {
    headSeen = resolve
  })
  const chain = new RpcChain(901n, {
    url,
    pollMs: 5,
    cacheBlocks: 16,
    concurrency: 2,
    maxQueue: 16,
    requestTimeoutMs: 1000,
    logger,
    onRequest: (_c, _m, ok) => {
      if (!ok && ++failed === 20) reached()
    },
    // the second head: the first poll that succeeded has finished (its "recovered" line is out)
    onHead: () => {
      if (++heads === 2) headSeen()
    },
  })
  try {
    chain.start()
    await twenty
    const warnings = lines.filter((l) => l.msg.startsWith('head poll failed'))
    assert.is(warnings.length, 1, `${warnings.length} warnings for ${failed} failed polls`)
    assert.is(warnings[0]!.level, 40)
    up = true
    await head
    const back = lines.filter((l) => l.msg === 'head poll recovered')
    assert.is(back.length, 1)
    assert.ok((back[0]!.failures ?? 0) >= 20, JSON.stringify(back[0]))
  } finally {
    chain.close()
    await new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  }
})

test.run()
