import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type LyingSupervisor, startLyingSupervisor } from '../../src/devnet/liar/lyingSupervisor.js'
import { spawnLyingSupervisor } from '../../src/devnet/liar/spawn.js'
import { RpcCode } from '../../src/errors/index.js'
import { encodeAccess, type Hex } from '../../src/interop/index.js'
import { freePort } from '../../src/util/freePort.js'
import { createLogger } from '../../src/util/logger.js'
import { type IndexSupervisor, startIndexSupervisor } from '../_helpers/startIndexSupervisor.js'
import { type IndexFixture, writeIndexFixture } from '../_helpers/writeIndexFixture.js'

// The devnet's lying-supervisor double (src/devnet/liar/) in front of a real supervisor's check code
// over a real index file: honest it changes nothing; lying it turns valid into ConflictingData and
// definitively invalid into valid, single calls and batches, for both check method names, and
// leaves every other answer (transient codes, other methods, /healthz) alone.

let dir: string
let fx: IndexFixture
let sup: IndexSupervisor
let liar: LyingSupervisor

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'superguard-liar-'))
  fx = await writeIndexFixture(join(dir, 'index.db'), { logs: 4, logsPerBlock: 2 })
  sup = await startIndexSupervisor(fx.path)
  liar = await startLyingSupervisor({ upstream: sup.url, log: createLogger('silent') })
})

test.after(async () => {
  await liar?.close()
  await sup?.close()
  rmSync(dir, { recursive: true, force: true })
})

const descriptor = () => ({
  chainID: `0x${fx.execChain.toString(16)}`,
  timestamp: `0x${(BigInt(Math.floor(Date.now() / 1000)) + 2n).toString(16)}`,
})
const forged = (): Hex[] => [fx.entries(1)[0]!, `0x03${'ab'.repeat(31)}` as Hex]
/** An access past the index's head: the supervisor cannot know yet (transient). */
const future = (): Hex[] => encodeAccess({ ...fx.access(3), blockNumber: fx.head.number + 1000n })

type Answer = { id?: unknown; result?: unknown; error?: { code: number; message: string } }
let id = 1
async function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  })
  return { status: r.status, json: await r.json() }
}
const call = (method: string, params: unknown[]) => ({ jsonrpc: '2.0', id: id++, method, params })
const code = (a: Answer) => a.error?.code ?? 0
const check = async (url: string, entries: Hex[], method = 'interop_checkAccessList') =>
  code((await post(url, call(method, [entries, 'cross-unsafe', descriptor()]))).json as Answer)

test('honest: the answers are the supervisor’s own', async () => {
  assert.is(await check(sup.url, fx.entries(0)), 0)
  assert.is(await check(sup.url, forged()), RpcCode.ConflictingData)
  assert.is(await check(liar.url, fx.entries(0)), 0)
  assert.is(await check(liar.url, forged()), RpcCode.ConflictingData)
  assert.equal(liar.lies, { toInvalid: 0, toValid: 0 })
})

test('liar_setMode lies: valid → ConflictingData, invalid → valid, for both method names and in batches', async () => {
  const on = (await post(liar.url, call('liar_setMode', [{ lie: true }]))).json as Answer
  assert.equal(on.result, { lying: true })
  for (const method of ['interop_checkAccessList', 'supervisor_checkAccessList']) {
    assert.is(await check(liar.url, fx.entries(0), method), RpcCode.ConflictingData, `${method}: valid told invalid`)
    assert.is(await check(liar.url, forged(), method), 0, `${method}: forged told valid`)
  }
  // the supervisor itself never changed its mind
  assert.is(await check(sup.url, fx.entries(0)), 0)
  const batch = [
    call('supervisor_checkAccessList', [fx.entries(2), 'cross-unsafe', descriptor()]),
    call('supervisor_checkAccessList', [forged(), 'cross-unsafe', descriptor()]),
    call('supervisor_checkAccessList', [future(), 'cross-unsafe', descriptor()]),
  ]
  const answers = (await post(liar.url, batch)).json as Answer[]
  const byId = (i: number) => answers.find((a) => a.id === batch[i]!.id)!
  assert.is(code(byId(0)), RpcCode.ConflictingData)
  assert.is(code(byId(1)), 0)
  // a transient verdict (a block the index has not reached) is passed on as it came
  const transient = code(byId(2))
  assert.is(transient, await check(sup.url, future()))
  assert.ok(transient !== 0 && transient !== RpcCode.ConflictingData, `transient code ${transient}`)
  assert.equal(liar.lies, { toInvalid: 3, toValid: 3 })
  const status = (await post(liar.url, call('liar_status', []))).json as Answer
  assert.equal(status.result, { lying: true, lies: { toInvalid: 3, toValid: 3 } })
})

test('honest again; bad liar_setMode params are -32602; other methods and GETs pass through', async () => {
  const bad = (await post(liar.url, call('liar_setMode', [{ lie: 'yes' }]))).json as Answer
  assert.is(code(bad), RpcCode.InvalidParams)
  assert.ok(liar.lying, 'a bad call changes nothing')
  liar.setLying(false)
  assert.is(await check(liar.url, fx.entries(0)), 0)
  assert.is(await check(liar.url, forged()), RpcCode.ConflictingData)
  const other = (await post(liar.url, call('no_suchMethod', []))).json as Answer
  assert.is(code(other), RpcCode.MethodNotFound)
  const direct = await fetch(`${sup.url}/metrics`)
  const proxied = await fetch(`${liar.url}/metrics`)
  assert.is(proxied.status, direct.status)
  await direct.arrayBuffer()
  await proxied.arrayBuffer()
})

test('an unreachable supervisor: 502, never a made-up verdict', async () => {
  const dead = await startLyingSupervisor({ upstream: 'http://127.0.0.1:1', log: createLogger('silent') })
  try {
    dead.setLying(true)
    const r = await fetch(dead.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(call('interop_checkAccessList', [fx.entries(0), 'cross-unsafe', descriptor()])),
    })
    assert.is(r.status, 502)
    await r.arrayBuffer()
  } finally {
    await dead.close()
  }
})

test('as the devnet runs it: a child process of its own, answering, stopped by close()', async () => {
  const port = await freePort()
  const child = await spawnLyingSupervisor(sup.url, port, join(dir, 'liar.log'), 'silent')
  try {
    assert.is(child.url, `http://127.0.0.1:${port}`)
    assert.is(await check(child.url, fx.entries(0)), 0)
    const on = (await post(child.url, call('liar_setMode', [{ lie: true }]))).json as Answer
    assert.equal(on.result, { lying: true })
    assert.is(await check(child.url, fx.entries(0)), RpcCode.ConflictingData)
  } finally {
    await child.close()
  }
  assert.throws(() => process.kill(child.pid, 0), /ESRCH/, 'the process is gone')
})

test('a client that gives up ends the upstream request too (a stopped supervisor leaves none open)', async () => {
  // An upstream that reads the request and never answers, as a SIGSTOPped supervisor.
  const open = new Set<IncomingMessage>()
  const silent = createServer((req) => {
    open.add(req)
    req.resume()
    req.socket.once('close', () => open.delete(req))
    silent.emit('request-held')
  })
  silent.listen(0, '127.0.0.1')
  await once(silent, 'listening')
  const port = (silent.address() as AddressInfo).port
  const front = await startLyingSupervisor({ upstream: `http://127.0.0.1:${port}`, log: createLogger('silent') })
  try {
    const client = new AbortController()
    const held = once(silent, 'request-held')
    const answered = fetch(front.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(call('supervisor_syncStatus', [])),
      signal: client.signal,
    }).catch((e: unknown) => e)
    await held
    assert.is(open.size, 1)
    const [upstreamReq] = open
    const gone = once(upstreamReq!.socket, 'close')
    client.abort()
    await answered
    let guard: NodeJS.Timeout | undefined
    const closed = await Promise.race([
      gone.then(() => true),
      new Promise<boolean>((resolve) => {
        guard = setTimeout(() => resolve(false), 10_000)
      }),
    ])
    clearTimeout(guard)
    assert.ok(closed, 'the upstream connection closed with the client (not within 10 s)')
    assert.is(open.size, 0)
  } finally {
    await front.close()
    silent.closeAllConnections()
    await new Promise((resolve) => silent.close(resolve))
  }
})

test.run()
