import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { privateKeyToAccount } from 'viem/accounts'
import { DEV_KEYS } from '../../src/devnet/messages.js'
import type { Hex } from '../../src/engine/index.js'
import { Forwarder } from '../../src/ingress/forwarder.js'
import { type Ingress, startIngress } from '../../src/ingress/index.js'
import type { IngressMetrics } from '../../src/ingress/metrics.js'
import { createLogger } from '../../src/util/logger.js'
import { captureLog } from '../_helpers/captureLog.js'
import { startUpstreamDouble, type UpstreamDouble } from '../_helpers/upstreamDouble.js'

// --builder-batch: the ingress queues what it sends to each builder and sends it as JSON-RPC batches
// (one HTTP request per batch), every call still answered and counted on its own.

type Item = { jsonrpc: string; id: number; method: string; params: unknown[] }

/** A builder that records every HTTP request's body and refuses the transactions that start with 0xbad. */
type BuilderDouble = {
  url: string
  requests: unknown[]
  items: () => Item[]
  until: (n: number) => Promise<void>
  close: () => Promise<void>
}

async function builderDouble(): Promise<BuilderDouble> {
  const requests: unknown[] = []
  const items = () => requests.flatMap((r) => (Array.isArray(r) ? (r as Item[]) : [r as Item]))
  let waiter: { n: number; resolve: () => void } | undefined
  const answer = (r: Item) =>
    String(r.params[0]).startsWith('0xbad')
      ? { jsonrpc: '2.0', id: r.id, error: { code: -32000, message: 'nonce too low' } }
      : { jsonrpc: '2.0', id: r.id, result: `0x${'11'.repeat(32)}` }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Item | Item[]
      requests.push(body)
      if (waiter && items().length >= waiter.n) waiter.resolve()
      // Answered out of order: the client must match results by id.
      const text = JSON.stringify(Array.isArray(body) ? body.map(answer).reverse() : answer(body))
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(text)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    items,
    until: (n) => (items().length >= n ? Promise.resolve() : new Promise<void>((resolve) => (waiter = { n, resolve }))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A forwards counter that resolves `until(n)` once n builder outcomes are counted. */
function countingMetrics() {
  const counts: Record<string, number> = {}
  let waiter: { n: number; resolve: () => void } | undefined
  const total = () => Object.values(counts).reduce((a, b) => a + b, 0)
  const metrics = {
    forwards: {
      inc: (l: { target: string; result: string }) => {
        if (l.target !== 'builder') return
        counts[l.result] = (counts[l.result] ?? 0) + 1
        if (waiter && total() >= waiter.n) waiter.resolve()
      },
    },
  } as unknown as IngressMetrics
  const until = (n: number) =>
    total() >= n ? Promise.resolve() : new Promise<void>((resolve) => (waiter = { n, resolve }))
  return { counts, metrics, until }
}

const CHAIN = 901n
let upstream: UpstreamDouble
test.before(async () => {
  upstream = await startUpstreamDouble({ chainId: CHAIN })
})
test.after(async () => {
  await upstream.close()
})

const raws = (n: number, bad: number[] = []) =>
  Array.from({ length: n }, (_, i) => `${bad.includes(i) ? '0xbad' : '0x02'}${i.toString(16).padStart(4, '0')}`)

test('N sends reach a builder as one batch, none lost, each refusal counted on its own', async () => {
  const b = await builderDouble()
  const m = countingMetrics()
  const f = new Forwarder(upstream.url, [b.url], {
    upstreamTimeoutMs: 2000,
    builderTimeoutMs: 2000,
    builderBatchMs: 1000,
    metrics: m.metrics,
    log: createLogger('silent'),
  })
  try {
    const sent = raws(10, [3, 7])
    await Promise.all(sent.map((raw) => f.submit('eth_sendRawTransaction', [raw])))
    await m.until(10)
    assert.is(b.requests.length, 1, 'one HTTP request')
    const batch = b.requests[0] as Item[]
    assert.ok(Array.isArray(batch))
    assert.equal(
      batch.map((c) => c.params[0]),
      sent,
      'every transaction, in the order sent',
    )
    assert.ok(batch.every((c) => c.method === 'eth_sendRawTransaction'))
    assert.equal(m.counts, { ok: 8, rejected: 2 })
  } finally {
    f.close()
    await b.close()
  }
})

test('a full batch goes at once; past the queue bound calls are dropped, counted and logged', async () => {
  const b = await builderDouble()
  const m = countingMetrics()
  const log = captureLog()
  // A window far longer than the test: only a full batch (100) is sent before close.
  const f = new Forwarder(upstream.url, [b.url], {
    upstreamTimeoutMs: 2000,
    builderTimeoutMs: 2000,
    builderBatchMs: 60_000,
    maxBuilderInFlight: 150,
    metrics: m.metrics,
    log: log.logger,
  })
  try {
    await Promise.all(raws(160).map((raw) => f.submit('eth_sendRawTransaction', [raw])))
    // 100 sent as one batch at once, 50 queued, 10 over the bound of 150 dropped.
    await m.until(110)
    assert.is(b.requests.length, 1)
    assert.is((b.requests[0] as Item[]).length, 100)
    assert.equal(m.counts, { dropped: 10, ok: 100 })
    f.close() // the 50 still queued are dropped, not sent
    assert.equal(m.counts, { dropped: 60, ok: 100 })
    assert.ok(log.lines.some((l) => /builder calls dropped/.test(String(l.msg))))
  } finally {
    f.close()
    await b.close()
  }
})

test('a builder that is down: every call of the batch is an error, the sender still answered', async () => {
  const b = await builderDouble()
  const url = b.url
  await b.close()
  const m = countingMetrics()
  const f = new Forwarder(upstream.url, [url], {
    upstreamTimeoutMs: 2000,
    builderTimeoutMs: 2000,
    builderBatchMs: 10,
    metrics: m.metrics,
    log: createLogger('silent'),
  })
  try {
    const answers = await Promise.all(raws(5).map((raw) => f.submit('eth_sendRawTransaction', [raw])))
    assert.is(answers.length, 5)
    await m.until(5)
    assert.equal(m.counts, { error: 5 })
  } finally {
    f.close()
  }
})

test('the ingress with --builder-batch: every accepted transaction reaches every builder, batched', async () => {
  const [b1, b2] = [await builderDouble(), await builderDouble()]
  const signer = privateKeyToAccount(DEV_KEYS[2])
  let ing: Ingress | undefined
  try {
    ing = await startIngress(
      { port: 0, upstream: upstream.url, supervisor: [upstream.url], builder: [b1.url, b2.url], builderBatch: '500ms' },
      { logger: createLogger('silent') },
    )
    const sent: Hex[] = []
    for (let nonce = 0; nonce < 6; nonce++)
      sent.push(
        await signer.signTransaction({
          type: 'eip1559',
          chainId: Number(CHAIN),
          nonce,
          to: '0x000000000000000000000000000000000000dEaD',
          gas: 21_000n,
          maxFeePerGas: 2n,
          maxPriorityFeePerGas: 1n,
        }),
      )
    // Sent together: the six fall into one 500 ms window or, on a slow machine, a few.
    const answers = await Promise.all(
      sent.map((raw, id) =>
        fetch(ing!.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id, method: 'eth_sendRawTransaction', params: [raw] }),
        }).then((r) => r.json() as Promise<{ result?: Hex }>),
      ),
    )
    assert.ok(answers.every((a) => typeof a.result === 'string'))
    for (const b of [b1, b2]) {
      await b.until(6)
      assert.equal(new Set(b.items().map((c) => c.params[0])), new Set(sent), 'none lost')
      assert.ok(b.requests.every(Array.isArray), 'only batches')
      assert.ok(b.requests.length < 6, `fewer requests than transactions: ${b.requests.length}`)
    }
  } finally {
    await ing?.close()
    await b1.close()
    await b2.close()
  }
})

test.run()
