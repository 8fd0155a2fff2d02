import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { serializeTransaction as serializeOpTransaction } from 'viem/op-stack'
import type { Hex } from '../../src/engine/index.js'
import { signJwt } from '../../src/rpc/jwt.js'
import { advance, type Sim, startSim } from './_helpers.js'

let s: Sim
test.before(async () => {
  s = await startSim()
})
test.after(async () => {
  await s?.close()
})

const KIB = 1024

/**
 * One HTTP/1.1 request on a raw socket: `head` headers, then `chunks` written one by one only while
 * no answer has come. Resolves with the status and whether the server closed the connection, or
 * rejects after `ms` (a server still waiting for the body).
 */
function rawPost(
  head: Record<string, string>,
  chunks: Buffer[] = [],
  ms = 5000,
): Promise<{ status: number; closed: boolean; sent: number; text: string }> {
  const port = Number(new URL(s.url).port)
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1')
    let text = ''
    let sent = 0
    let answered = false
    const timer = setTimeout(() => {
      sock.destroy()
      reject(new Error(`no answer within ${ms} ms (sent ${sent} body bytes)`))
    }, ms)
    const finish = (closed: boolean) => {
      clearTimeout(timer)
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)
      resolve({ status, closed, sent, text })
    }
    sock.on('data', (d) => {
      text += d.toString('latin1')
      answered = true
    })
    sock.on('close', () => finish(true))
    sock.on('error', () => {
      /* a reset after the answer: 'close' follows */
    })
    sock.on('connect', async () => {
      sock.write(
        `POST / HTTP/1.1\r\nhost: 127.0.0.1\r\n${Object.entries(head)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('')}\r\n`,
      )
      for (const c of chunks) {
        if (answered || sock.destroyed) break
        const ok = sock.write(c)
        sent += c.length
        if (!ok) await new Promise((r) => sock.once('drain', r))
        await new Promise((r) => setImmediate(r))
      }
    })
  })
}

const chunked = (bytes: number, size = 16 * KIB): Buffer[] => {
  const out: Buffer[] = []
  for (let left = bytes; left > 0; left -= size) {
    const n = Math.min(size, left)
    out.push(Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), Buffer.alloc(n, 0x20), Buffer.from('\r\n')]))
  }
  out.push(Buffer.from('0\r\n\r\n'))
  return out
}

test('an unauthenticated request declaring 32 MiB gets 413 before it sends a byte of body', async () => {
  const res = await rawPost({ 'content-type': 'application/json', 'content-length': String(32 * KIB * KIB) })
  assert.is(res.status, 413)
  assert.is(res.sent, 0)
  assert.ok(res.closed, 'the connection is closed, so the body is never read')
  assert.match(res.text, '"code":-32021')
})

test('a bad token counts as none: 200 KiB declared → 413', async () => {
  const bad = `Bearer ${signJwt(randomBytes(32))}`
  const res = await rawPost({
    'content-type': 'application/json',
    'content-length': String(200 * KIB),
    authorization: bad,
  })
  assert.is(res.status, 413)
  assert.is(res.sent, 0)
})

test('an unauthenticated chunked body is cut at 128 KiB', async () => {
  const res = await rawPost(
    { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    chunked(4 * KIB * KIB),
  )
  assert.is(res.status, 413)
  assert.ok(res.sent < 1024 * KIB, `the server stopped reading early (${res.sent} bytes sent)`)
})

test('an unauthenticated body within 128 KiB still works (eth_ needs no token)', async () => {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: ['x'.repeat(100 * KIB)] })
  const res = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  assert.is(res.status, 200)
  assert.is(((await res.json()) as { result: string }).result, '0x385')
})

/** A deposit carrying `bytes` of calldata: three make a block far over 128 KiB. */
const bigDeposit = (n: number, bytes: number): Hex =>
  serializeOpTransaction({
    type: 'deposit',
    sourceHash: `0x${n.toString(16).padStart(64, '0')}`,
    from: '0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001',
    to: '0x4200000000000000000000000000000000000015',
    mint: 0n,
    value: 0n,
    gas: 5_000_000n,
    isSystemTx: false,
    data: `0x${'ab'.repeat(bytes)}`,
  })

test('an authenticated newPayload of 400 KiB still works', async () => {
  const txs = [1, 2, 3].map((n) => bigDeposit(n, 64 * KIB))
  const { envelope } = await advance(s, { transactions: txs })
  const size = JSON.stringify(envelope.executionPayload).length
  assert.ok(size > 384 * KIB, `payload is ${size} bytes`)
  assert.is(envelope.executionPayload.transactions.length, 3)
})

test.run()
