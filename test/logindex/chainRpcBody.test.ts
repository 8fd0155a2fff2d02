import { once } from 'node:events'
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ChainRpc } from '../../src/logindex/chainRpc.js'

/**
 * ChainRpc's response-size bound against a real HTTP server on loopback: a body with a
 * Content-Length goes to viem unread (the bound checked on the header, before the body), a chunked
 * body is read here under the same bound.
 */

const BOUND = 64 * 1024
/** One eth_getLogs entry, ~330 bytes of JSON. */
const log = (i: number) => ({
  address: '0x4200000000000000000000000000000000000022',
  topics: [`0x${i.toString(16).padStart(64, '0')}`],
  data: `0x${'ab'.repeat(32)}`,
  blockNumber: '0x1',
  blockHash: `0x${'11'.repeat(32)}`,
  logIndex: `0x${i.toString(16)}`,
})

type Mode =
  | { kind: 'length' | 'chunked'; logs: number }
  /** Headers announcing `declared` bytes, then one small piece of the body, then nothing: a client reading the body waits forever. */
  | { kind: 'stall'; declared: number }
  /** The same without Content-Length: one chunk, then nothing. */
  | { kind: 'stallChunked' }
  /** Chunked, pieces of 16 KiB sent as the client reads, never an end. */
  | { kind: 'endless' }

let mode: Mode = { kind: 'length', logs: 1 }
let server: Server
let url: string
const open = new Set<ServerResponse>()

function answer(res: ServerResponse, raw: string): void {
  const body = JSON.parse(raw) as { id: number } | { id: number }[]
  const one = (id: number) => ({
    jsonrpc: '2.0',
    id,
    result:
      mode.kind === 'length' || mode.kind === 'chunked' ? Array.from({ length: mode.logs }, (_, i) => log(i)) : [],
  })
  const text = JSON.stringify(Array.isArray(body) ? body.map((r) => one(r.id)) : one(body.id))
  if (mode.kind === 'length') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    res.end(text)
  } else if (mode.kind === 'chunked') {
    res.writeHead(200, { 'content-type': 'application/json' })
    // Several writes: the body really arrives in chunks.
    for (let i = 0; i < text.length; i += 4096) res.write(text.slice(i, i + 4096))
    res.end()
  } else if (mode.kind === 'stall' || mode.kind === 'stallChunked') {
    open.add(res)
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(mode.kind === 'stall' ? { 'content-length': mode.declared } : {}),
    })
    res.write('[')
    server.emit('held')
  } else {
    open.add(res)
    res.writeHead(200, { 'content-type': 'application/json' })
    const piece = ' '.repeat(16 * 1024)
    const more = () => {
      while (!res.destroyed && res.write(piece)) {}
    }
    res.on('drain', more)
    more()
  }
  res.on('close', () => open.delete(res))
}

test.before(async () => {
  server = createServer((req, res) => {
    let raw = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => {
      raw += c
    })
    req.on('end', () => answer(res, raw))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

test.after(async () => {
  for (const res of open) res.destroy()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

test('a body with Content-Length under the bound is read', async () => {
  mode = { kind: 'length', logs: 100 }
  const logs = await new ChainRpc(url, { maxResponseBytes: BOUND }).logs(1n, 1n)
  assert.is(logs.length, 100)
  assert.equal(logs[7], log(7))
})

test('a chunked body without Content-Length still works (read here, under the bound)', async () => {
  mode = { kind: 'chunked', logs: 150 }
  const logs = await new ChainRpc(url, { maxResponseBytes: BOUND }).logs(1n, 1n)
  assert.is(logs.length, 150)
  assert.equal(logs[149], log(149))
})

test('a Content-Length over the bound is refused before the body is read, with a clear error', async () => {
  // The server sends one byte of the announced 10 MB and then nothing: reading the body would hang.
  mode = { kind: 'stall', declared: 10_000_000 }
  const err = (await new ChainRpc(url, { maxResponseBytes: BOUND }).logs(1n, 1n).then(
    () => undefined,
    (e: unknown) => e,
  )) as Error & { maxSize?: number; size?: number }
  assert.instance(err, Error)
  assert.match(err.message, /exceeded the size limit/)
  assert.match(err.message, /Max: 65536 bytes/)
  assert.match(err.message, /Received: 10000000 bytes/)
})

test('an endless chunked body is cut at the bound, with the same error', async () => {
  mode = { kind: 'endless' }
  const err = (await new ChainRpc(url, { maxResponseBytes: BOUND }).logs(1n, 1n).then(
    () => undefined,
    (e: unknown) => e,
  )) as Error
  assert.instance(err, Error)
  assert.match(err.message, /exceeded the size limit/)
  assert.match(err.message, /Max: 65536 bytes/)
})

test('a body under the bound being read is still aborted by the shutdown signal', async () => {
  mode = { kind: 'stall', declared: 1000 }
  const held = once(server, 'held')
  const stop = new AbortController()
  const pending = new ChainRpc(url, { maxResponseBytes: BOUND, signal: stop.signal }).logs(1n, 1n).then(
    () => 'answered',
    (e: unknown) => e,
  )
  // The headers have come (the server holds the response open): abort while the body is awaited.
  assert.is(await within10s(Promise.race([held.then(() => 'held'), pending])), 'held', 'the server sent the headers')
  stop.abort(new Error('shutting down'))
  const out = await pending
  assert.instance(out, Error)
  assert.match((out as Error).message, /shutting down/)
})

/** What `pending` settles to, or a note after 10 s: a test of a hang must fail, not hang. */
async function within10s(pending: Promise<unknown>): Promise<unknown> {
  let guard: NodeJS.Timeout | undefined
  const late = new Promise((resolve) => {
    guard = setTimeout(() => resolve('still waiting after 10 s'), 10_000)
  })
  return Promise.race([pending, late]).finally(() => clearTimeout(guard))
}

const stalls: [string, Mode, RegExp][] = [
  // Headers announcing 1,000 bytes, one byte of them, then nothing: viem's timeout has ended with
  // the headers. Without a bound on the body this waited for undici's 300 s.
  ['a body that stalls after its headers', { kind: 'stall', declared: 1000 }, /no complete response within 300 ms/],
  // Read inside the fetch, so viem's own timeout (started first) usually cuts it; ours is the backstop.
  ['a chunked body that stalls', { kind: 'stallChunked' }, /took too long|no complete response within 300 ms/],
]
for (const [what, m, expected] of stalls)
  test(`${what} is cut by the request timeout, not left to hang`, async () => {
    mode = m
    const held = once(server, 'held')
    const pending = new ChainRpc(url, { maxResponseBytes: BOUND, timeoutMs: 300 }).logs(1n, 1n).then(
      () => 'answered',
      (e: unknown) => e,
    )
    assert.is(await within10s(Promise.race([held.then(() => 'held'), pending])), 'held', 'the server sent the headers')
    const out = await within10s(pending)
    assert.instance(out, Error, String(out))
    assert.match((out as Error).message, expected)
  })

test.run()
