import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { valueSymbol } from 'piscina'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { checkAccesses } from '../../src/check/checkAccesses.js'
import { createIndexBackend } from '../../src/check/indexBackend.js'
import { RpcCode } from '../../src/errors/index.js'
import { type Access, type Hex, parseAccessList } from '../../src/interop/index.js'
import { openLogReader } from '../../src/logindex/logReader.js'
import { openDb } from '../../src/logindex/openDb.js'
import { SweepCode } from '../../src/sweep/classify.js'
import { ACCESSES_PER_CALL, DEFAULT_CHUNK_SIZE } from '../../src/sweep/options.js'
import { SWEEP_WORKER, SweepPool } from '../../src/sweep/pool.js'
import {
  ACCESS_BYTES,
  type CheckBackend,
  type ChunkResult,
  packAccess,
  type SweepChunk,
} from '../../src/sweep/protocol.js'
import { roundDescriptor } from '../../src/sweep/roundDescriptor.js'
import sweep from '../../workers/sweep.js'
import txpool from '../../workers/txpool.js'
import { type IndexSupervisor, startIndexSupervisor } from '../_helpers/startIndexSupervisor.js'
import { type IndexFixture, writeIndexFixture } from '../_helpers/writeIndexFixture.js'

let dir: string
let fx: IndexFixture
let sup: IndexSupervisor

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sweep-worker-'))
  fx = await writeIndexFixture(join(dir, 'index.db'), { logs: 10, logsPerBlock: 5 })
  sup = await startIndexSupervisor(fx.path)
})

test.after(async () => {
  await sup.close()
  rmSync(dir, { recursive: true, force: true })
})

/** The cases: each access and the code the supervisor gives it. */
function cases(): { name: string; entries: Hex[]; code: number }[] {
  const future = { ...fx.access(2), blockNumber: fx.head.number + 5n }
  const unknown = { ...fx.access(3), chainId: 999n }
  const late = { ...fx.access(4), timestamp: BigInt(Math.floor(Date.now() / 1000)) + 3600n }
  return [
    { name: 'valid', entries: fx.entries(0), code: 0 },
    { name: 'forged checksum', entries: [fx.entries(1)[0]!, `0x03${'ab'.repeat(31)}`], code: RpcCode.ConflictingData },
    { name: 'block beyond the head', entries: enc(future), code: RpcCode.OutOfScope },
    { name: 'unknown source chain', entries: enc(unknown), code: RpcCode.UnknownChain },
    { name: 'initiated after the executing timestamp', entries: enc(late), code: RpcCode.ConflictingData },
    { name: "valid again (de-duplication is the caller's job)", entries: fx.entries(5), code: 0 },
  ]
}

const hex = (v: bigint, w: number) => v.toString(16).padStart(w, '0')
const enc = (a: Access) =>
  [
    `0x01000000${hex(a.chainId, 16)}${hex(a.blockNumber, 16)}${hex(a.timestamp, 16)}${hex(BigInt(a.logIndex), 8)}`,
    a.checksum,
  ] as Hex[]

function chunkOf(list: Hex[][], backend: CheckBackend, deadline = Date.now() + 10_000): SweepChunk {
  const buf = Buffer.from(new ArrayBuffer(list.length * ACCESS_BYTES))
  for (const [i, e] of list.entries())
    packAccess(buf, i * ACCESS_BYTES, e[0]!, e.length === 3 ? e[1] : undefined, e.at(-1)!)
  return {
    backend,
    minSafety: 'cross-unsafe',
    descriptor: roundDescriptor(Date.now(), fx.execChain, 86_400_000),
    accesses: buf.buffer as ArrayBuffer,
    count: list.length,
    deadline,
  }
}

/** The worker returns its result wrapped for transfer (piscina move); unwrap as piscina does. */
const unwrap = (r: unknown) => (r as Record<symbol, ChunkResult>)[valueSymbol]!

const supervisorBackend = (accessesPerCall = 16): CheckBackend => ({
  mode: 'supervisor',
  url: sup.url,
  method: 'supervisor_checkAccessList',
  timeoutMs: 5000,
  accessesPerCall,
})

test('index mode answers each access with the supervisor core check', async () => {
  const cs = cases()
  const r = unwrap(
    await sweep(
      chunkOf(
        cs.map((c) => c.entries),
        { mode: 'index', path: fx.path },
      ),
    ),
  )
  for (const [i, c] of cs.entries()) assert.is(r.codes[i], c.code, c.name)
  assert.ok(
    r.messages.some(([i, m]) => i === 1 && /checksum/.test(m)),
    "the supervisor's message travels with the code",
  )
})

test("index mode's fast path answers exactly checkAccesses's verdicts and messages, case by case", async () => {
  // A copy of the index whose cross-unsafe head is two blocks below the unsafe one.
  const path = join(dir, 'lagging.db')
  const lag = await writeIndexFixture(path, { logs: 20, logsPerBlock: 5 })
  const db = openDb(path)
  db.prepare("UPDATE heads SET number = number - 2 WHERE level = 'cross-unsafe'").run()
  db.close()
  const at = (i: number, patch: Partial<Access>) => enc({ ...lag.access(i), ...patch })
  const list: [string, Hex[]][] = [
    ['valid', lag.entries(0)],
    ['valid, another block', lag.entries(7)],
    ['not yet cross-unsafe (last block)', lag.entries(19)],
    ['timestamp mismatch', at(1, { timestamp: lag.access(1).timestamp - 1n })],
    ['no such log in the block', at(2, { logIndex: 40 })],
    ['block not held', at(3, { blockNumber: 0n })],
    ['beyond the head', at(4, { blockNumber: lag.head.number + 1n })],
    ['unknown chain', at(5, { chainId: 77n })],
    ['expired', at(6, { timestamp: 1n })],
    ['same timestamp as the executing one', at(8, { timestamp: BigInt(Math.floor(Date.now() / 1000)) })],
    ['forged checksum', [lag.entries(9)[0]!, `0x03${'cd'.repeat(31)}`]],
    ['chain-id extension', [`0x01${'00'.repeat(31)}`, `0x02${'00'.repeat(23)}${hex(901n, 16)}`, lag.entries(10)[1]!]],
  ]
  const chunk = chunkOf(
    list.map(([, e]) => e),
    { mode: 'index', path },
  )
  const reader = openLogReader(path)
  const backend = createIndexBackend(reader, { status: () => [] })
  const expected = list.map(([, e]) => {
    const r = checkAccesses(backend, parseAccessList(e), 'cross-unsafe', chunk.descriptor)
    if (r instanceof Promise) throw new Error('index backend answered asynchronously')
    return r.ok ? { code: 0, message: undefined } : { code: r.error.rpcCode, message: r.error.message }
  })
  reader.close()
  const r = unwrap(await sweep(chunk))
  const messages = new Map(r.messages)
  for (const [i, [name]] of list.entries()) {
    assert.is(r.codes[i], expected[i]!.code, name)
    assert.is(messages.get(i), expected[i]!.message, `${name}: message`)
  }
  assert.is(expected.filter((e) => e.code === 0).length, 2, 'the list has passing and failing cases')
})

test('supervisor mode: same verdicts as index mode, whatever the accesses per call', async () => {
  const cs = cases()
  const viaIndex = unwrap(
    await sweep(
      chunkOf(
        cs.map((c) => c.entries),
        { mode: 'index', path: fx.path },
      ),
    ),
  )
  for (const per of [1, 2, 4, 16]) {
    const viaRpc = unwrap(
      await sweep(
        chunkOf(
          cs.map((c) => c.entries),
          supervisorBackend(per),
        ),
      ),
    )
    assert.equal([...viaRpc.codes], [...viaIndex.codes], `${per} accesses per call`)
  }
})

test('a default supervisor-mode chunk fits a default supervisor (128 KiB body, 1000 calls)', async () => {
  const big = await writeIndexFixture(join(dir, 'big.db'), { logs: DEFAULT_CHUNK_SIZE.supervisor })
  const plain = await startIndexSupervisor(big.path)
  try {
    const list = Array.from({ length: DEFAULT_CHUNK_SIZE.supervisor }, (_, i) => big.entries(i))
    for (const per of [1, ACCESSES_PER_CALL]) {
      const chunk = chunkOf(list, {
        mode: 'supervisor',
        url: plain.url,
        method: 'supervisor_checkAccessList',
        timeoutMs: 5000,
        accessesPerCall: per,
      })
      const r = unwrap(await sweep({ ...chunk, descriptor: roundDescriptor(Date.now(), big.execChain, 86_400_000) }))
      if (per === ACCESSES_PER_CALL)
        assert.ok(
          [...r.codes].every((c) => c === 0),
          `every access valid with ${per} per call`,
        )
      else
        assert.ok(
          [...r.codes].every((c) => c === RpcCode.RequestBodyTooLarge),
          'one per call does not fit: the batch is refused whole, and kept',
        )
    }
  } finally {
    await plain.close()
  }
})

test('a passed deadline answers Timeout without checking; no supervisor answers Transport', async () => {
  const list = cases().map((c) => c.entries)
  for (const backend of [supervisorBackend(), { mode: 'index', path: fx.path } as CheckBackend]) {
    const r = unwrap(await sweep(chunkOf(list, backend, Date.now() - 1)))
    assert.ok(
      [...r.codes].every((c) => c === SweepCode.Timeout),
      `${backend.mode}: every access timed out`,
    )
  }
  const closed = createServer()
  await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok))
  const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`
  await new Promise<void>((ok) => closed.close(() => ok()))
  const r = unwrap(
    await sweep(
      chunkOf(list, {
        mode: 'supervisor',
        url,
        method: 'supervisor_checkAccessList',
        timeoutMs: 2000,
        accessesPerCall: 16,
      }),
    ),
  )
  assert.ok(
    [...r.codes].every((c) => c === SweepCode.Transport),
    'refused connection is a transport failure',
  )
})

test('a missing index file is a worker failure for every access (kept, never evicted)', async () => {
  const r = unwrap(await sweep(chunkOf([fx.entries(0)], { mode: 'index', path: join(dir, 'missing.db') })))
  assert.is(r.codes[0], SweepCode.Worker)
})

test('txpool worker packs the interop transactions of txpool_content', async () => {
  const inbox = '0x4200000000000000000000000000000000000022'
  const tx = (n: number, keys: string[] | undefined) => ({
    hash: `0x${hex(BigInt(n), 64)}`,
    nonce: `0x${n}`,
    accessList: keys && [{ address: inbox, storageKeys: keys }],
  })
  const content = {
    pending: { '0xaa': { 0: tx(1, fx.entries(0)), 1: tx(2, undefined) } },
    queued: { '0xbb': { 5: tx(3, ['0x1234']) } },
  }
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => {
      body += c.toString()
    })
    req.on('end', () =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: JSON.parse(body).id, result: content })),
    )
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  try {
    const out = (await txpool({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      timeoutMs: 2000,
      maxResponseBytes: 1 << 20,
    })) as Record<symbol, import('../../src/sweep/protocol.js').TxpoolResult>
    const r = out[valueSymbol]!
    assert.is(r.total, 3)
    assert.equal([...r.counts], [2, 0])
    assert.equal(r.malformed, [[1, ['0x1234']]])
    assert.is(Buffer.from(r.entries).toString('hex', 0, 32), fx.entries(0)[0]!.slice(2))
  } finally {
    server.close()
  }
})

test('the pool runs the compiled worker and transfers the chunk buffer', async () => {
  const pool = new SweepPool({ threads: 1 })
  try {
    const cs = cases()
    const chunk = chunkOf(
      cs.map((c) => c.entries),
      { mode: 'index', path: fx.path },
    )
    const r = await pool.check(chunk)
    assert.is(chunk.accesses.byteLength, 0, 'the buffer moved to the worker (detached here)')
    for (const [i, c] of cs.entries()) assert.is(r.codes[i], c.code, c.name)
  } finally {
    await pool.close()
  }
})

test('workers import no fastify and no config loading', () => {
  const seen = new Set<string>()
  const bad: string[] = []
  const walk = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const src = readFileSync(file, 'utf8')
    for (const m of src.matchAll(/(?:from\s+|import\()\s*'([^']+)'/g)) {
      const spec = m[1]!
      if (spec === 'fastify' || spec.includes('/config/') || spec.includes('/cli/')) bad.push(`${file} imports ${spec}`)
      if (spec.startsWith('.')) walk(resolve(dirname(file), spec))
    }
  }
  walk(SWEEP_WORKER)
  walk(fileURLToPath(new URL('../../workers/txpool.js', import.meta.url)))
  assert.equal(bad, [])
  assert.ok(seen.size > 5, 'the walk followed the imports')
})

test.run()
