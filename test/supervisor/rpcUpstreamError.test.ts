import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodeAccess } from '../../src/interop/index.js'
import { startSupervisor, supervisorConfig } from '../../src/supervisor/index.js'
import { captureLog } from '../_helpers/captureLog.js'
import { jsonRpc } from '../_helpers/jsonRpc.js'

// The rpc backend when a check's own upstream call fails: the check answers -32603 with a stable
// message naming the chain, never the endpoint's text (before: "chain 901 RPC eth_getBlockByNumber:
// HTTP request failed." and whatever the node or viem said); the detail goes to the log, once per
// interval with a count, and the failed requests are counted in the upstream metric.

const NODE_TEXT = 'leveldb: /var/lib/geth/chaindata/000123.ldb: input/output error'

test('rpc backend: a failed upstream look-up answers "upstream unavailable for chain 901", logs the detail once, counts it', async () => {
  // Chain 901 whose head polls work and whose block and log look-ups fail with the node's own text.
  const upstream = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => {
      body += c.toString()
    })
    req.on('end', () => {
      const { id, method, params } = JSON.parse(body) as { id: number; method: string; params: unknown[] }
      const answer = (x: object) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, ...x }))
      if (method === 'eth_chainId') return answer({ result: '0x385' })
      if (method === 'eth_getBlockByNumber' && params[0] === 'latest')
        return answer({
          result: {
            number: '0x10',
            hash: `0x${'ab'.repeat(32)}`,
            parentHash: `0x${'cd'.repeat(32)}`,
            timestamp: '0x1000',
          },
        })
      if (method === 'eth_getBlockByNumber' && typeof params[0] === 'string' && !params[0].startsWith('0x'))
        return answer({ result: null })
      return answer({ error: { code: -32000, message: NODE_TEXT } })
    })
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  const port = upstream.address() as AddressInfo
  const dir = mkdtempSync(join(tmpdir(), 'sg-rpc-upstream-'))
  const { logger, lines } = captureLog()
  const sup = await startSupervisor(
    supervisorConfig({
      argv: [
        '--rpc',
        `http://127.0.0.1:${port.port}`,
        '--backend',
        'rpc',
        '--db',
        join(dir, 'sv.db'),
        '--port',
        '0',
        '--poll',
        '1s',
      ],
    }),
    { progress: false, logger },
  )
  try {
    await sup.ready
    const entries = encodeAccess({
      chainId: 901n,
      blockNumber: 5n,
      timestamp: 0x900n,
      logIndex: 0,
      checksum: `0x03${'11'.repeat(31)}`,
    })
    const params = [entries, 'unsafe', { chainID: '901', timestamp: '0xa00' }]
    for (let i = 0; i < 20; i++) {
      const r = await jsonRpc(sup.url, 'supervisor_checkAccessList', params)
      assert.equal(r.error, { code: -32603, message: 'internal error: upstream unavailable for chain 901' })
    }
    const logged = lines.filter((l) => l.msg.startsWith('upstream look-up failed'))
    assert.is(logged.length, 1, JSON.stringify(lines.slice(-5)))
    assert.is(logged[0]!.level, 40)
    assert.match(String(logged[0]!.err), /eth_get(BlockByNumber|Logs)/, 'the log names the call')
    assert.ok(String(logged[0]!.err).includes(NODE_TEXT), `the log carries the node's words: ${String(logged[0]!.err)}`)
    assert.is(logged[0]!.chainId, '901')
    const metrics = await (await fetch(`${sup.url}/metrics`)).text()
    assert.match(
      metrics,
      /superguard_supervisor_upstream_requests_total\{chain="901",method="eth_get(BlockByNumber|Logs)",result="error"\} [1-9]/,
    )
  } finally {
    await sup.close()
    await new Promise<void>((resolve) => {
      upstream.closeAllConnections()
      upstream.close(() => resolve())
    })
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
