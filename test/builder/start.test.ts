import type { AddressInfo } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { builderSpec } from '../../src/builder/options.js'
import { type BuilderHandle, startBuilder } from '../../src/builder/start.js'
import { loadConfig } from '../../src/config/index.js'
import type { Hex } from '../../src/engine/types.js'
import { type EngineSimHandle, startEngineSim } from '../../src/enginesim/start.js'
import { CROSS_L2_INBOX, encodeAccess } from '../../src/interop/index.js'
import { createRpcServer } from '../../src/rpc/server.js'
import { freePort } from '../../src/util/freePort.js'
import { createLogger } from '../../src/util/logger.js'
import { jsonRpc } from '../_helpers/jsonRpc.js'
import { CHAIN_ID, type Env, jwtFile, proxyEnv, signedTx, startJob } from '../sequencer/_env.js'

type BuilderEnv = { env: Env; follower: EngineSimHandle; builder: BuilderHandle; close(): Promise<void> }

/** Sequencer (proxy) + op-node stand-in + the reference builder with its own engine-sim following the chain. */
async function builderEnv(o: { checkInterop?: string } = {}): Promise<BuilderEnv> {
  const port = await freePort()
  const jwt = jwtFile()
  const genesisTime = Math.floor(Date.now() / 1000) + 30
  const fJwt = jwtFile()
  const follower = await startEngineSim({ execution: 'sim', jwtSecret: fJwt.secret, chainId: CHAIN_ID, genesisTime })
  const env = await proxyEnv({
    builders: [],
    genesisTime,
    extraBuilders: [`http://127.0.0.1:${port},jwt=${jwt.path},name=ref`],
    opNode: { followers: [{ url: follower.url, jwtSecret: fJwt.secret }] },
  })
  const { config } = loadConfig(builderSpec, {
    argv: [
      '--listen',
      `127.0.0.1:${port}`,
      '--sequencer',
      env.seq.urls.builder,
      '--jwt-secret',
      jwt.path,
      '--engine',
      `${follower.url},jwt=${fJwt.path}`,
      '--resubmit-interval',
      '20ms',
      ...(o.checkInterop ? ['--check-interop', o.checkInterop] : []),
    ],
  })
  const builder = await startBuilder(config, { logger: createLogger('silent') })
  return {
    env,
    follower,
    builder,
    async close() {
      await builder.close()
      await env.close()
      await follower.close()
    },
  }
}

const send = (b: BuilderHandle, raw: Hex) => jsonRpc(b.url, 'eth_sendRawTransaction', [raw])

test('reference builder: a transaction it received lands in the chosen block; the next block leaves it out', async () => {
  const be = await builderEnv()
  const { env, builder } = be
  try {
    const raw = await signedTx(0, 0, 3)
    assert.ok((await send(builder, raw)).result)
    const { started, job } = await startJob(env)
    const sub = await builder.waitForSubmission((s) => s.jobId === job.jobId)
    assert.equal([sub.txs, sub.result], [1, { status: 'accepted' }])
    await env.seq.events.waitFor('validated', (v) => v.blockHash === sub.blockHash && v.valid)
    const got = await env.op.seal(started)
    assert.is(got.executionPayload.blockHash, sub.blockHash)
    assert.ok(got.executionPayload.transactions.includes(raw))
    await env.op.insert(got)
    const second = await startJob(env)
    const sub2 = await builder.waitForSubmission((s) => s.jobId === second.job.jobId)
    assert.is(sub2.txs, 0, 'included transactions leave the mempool')
    assert.is(builder.mempool.size, 0)
  } finally {
    await be.close()
  }
})

test('reference builder: submits early, then resubmits a better block; the newer one is used', async () => {
  const be = await builderEnv()
  const { env, builder } = be
  try {
    const { started, job } = await startJob(env)
    const early = await builder.waitForSubmission((s) => s.jobId === job.jobId)
    assert.equal([early.txs, early.value], [0, 0n])
    await env.seq.events.waitFor('validated', (v) => v.blockHash === early.blockHash)
    const better = builder.waitForSubmission((s) => s.jobId === job.jobId && s.txs === 2)
    await send(builder, await signedTx(1, 0, 2))
    await send(builder, await signedTx(2, 0, 5))
    const b = await better
    assert.ok(b.value > 0n)
    await env.seq.events.waitFor('validated', (v) => v.blockHash === b.blockHash && v.valid)
    const got = await env.op.seal(started)
    assert.is(got.executionPayload.blockHash, b.blockHash)
    // Fee policy: the higher tip first, after the forced deposit.
    const [, first] = got.executionPayload.transactions
    assert.is(first, await signedTx(2, 0, 5))
  } finally {
    await be.close()
  }
})

test('reference builder: interop transactions are checked with the supervisor in one batch per build; failures are left out', async () => {
  const batches: { method: string; params: unknown[] }[][] = []
  const bad = encodeAccess({
    chainId: 902n,
    blockNumber: 7n,
    timestamp: 100n,
    logIndex: 1,
    checksum: `0x03${'22'.repeat(31)}`,
  })
  const good = encodeAccess({
    chainId: 902n,
    blockNumber: 7n,
    timestamp: 100n,
    logIndex: 0,
    checksum: `0x03${'11'.repeat(31)}`,
  })
  const sup = createRpcServer({
    methods: new Map([
      [
        'supervisor_checkAccessList',
        (p: readonly unknown[]) => {
          if (JSON.stringify(p[0]) === JSON.stringify(bad)) throw Object.assign(new Error('conflict'), {})
          assert.equal(p[1], 'cross-unsafe')
          assert.equal((p[2] as { timeout: string }).timeout, '0x0')
          assert.equal((p[2] as { chainID: string }).chainID, String(CHAIN_ID))
          return null
        },
      ],
    ]),
    logger: createLogger('silent'),
  })
  sup.addHook('preHandler', async (req) => {
    if (typeof req.body === 'string' && req.body.startsWith('[')) batches.push(JSON.parse(req.body))
  })
  await sup.listen({ host: '127.0.0.1', port: 0 })
  const be = await builderEnv({ checkInterop: `http://127.0.0.1:${(sup.server.address() as AddressInfo).port}` })
  const { env, builder } = be
  try {
    const plain = await signedTx(0, 0, 1)
    const ok = await signedTx(1, 0, 2, { accessList: [{ address: CROSS_L2_INBOX, storageKeys: good }] })
    const no = await signedTx(2, 0, 3, { accessList: [{ address: CROSS_L2_INBOX, storageKeys: bad }] })
    for (const raw of [plain, ok, no]) await send(builder, raw)
    const { started, job } = await startJob(env)
    const sub = await builder.waitForSubmission((s) => s.jobId === job.jobId)
    assert.is(sub.txs, 2)
    assert.is(batches.length, 1, 'one batch request for the block')
    assert.equal(
      batches[0]!.map((c) => c.method),
      ['supervisor_checkAccessList', 'supervisor_checkAccessList'],
    )
    await env.seq.events.waitFor('validated', (v) => v.blockHash === sub.blockHash && v.valid)
    const got = await env.op.seal(started)
    assert.ok(got.executionPayload.transactions.includes(ok))
    assert.ok(got.executionPayload.transactions.includes(plain))
    assert.not.ok(got.executionPayload.transactions.includes(no))
  } finally {
    await be.close()
    await sup.close()
  }
})

test('reference builder: refuses unsigned announcements and bad transactions', async () => {
  const be = await builderEnv()
  try {
    const r = await jsonRpc(be.builder.url, 'builder_startBuilding', [{ jobId: '0x01' }])
    assert.is(r.error?.code, -32000)
    assert.match(r.error!.message, /unauthorized/)
    assert.is((await send(be.builder, '0x1234')).error?.code, -32000)
    const raw = await signedTx(0, 0, 1)
    await send(be.builder, raw)
    assert.match((await send(be.builder, raw)).error!.message, /already known/)
  } finally {
    await be.close()
  }
})

test('reference builder: builder_evictTransactions (the sweep notice) drops the listed transactions from its mempool', async () => {
  const be = await builderEnv()
  try {
    const kept = await signedTx(0, 0, 1)
    const evicted = await signedTx(1, 0, 1)
    const keptHash = (await send(be.builder, kept)).result as string
    const evictedHash = (await send(be.builder, evicted)).result as string
    assert.is(be.builder.mempool.size, 2)
    const notice = (hashes: string[], chainID = String(CHAIN_ID)) =>
      jsonRpc(be.builder.url, 'builder_evictTransactions', [
        { chainID, transactions: hashes.map((hash) => ({ hash, code: -320600, reason: 'ConflictingData' })) },
      ])
    assert.is((await notice([evictedHash, `0x${'00'.repeat(32)}`])).result, 1)
    assert.is(be.builder.mempool.size, 1)
    assert.is(be.builder.mempool.entries()[0]!.hash, keptHash)
    assert.is((await notice([keptHash], '1')).error?.code, -32602)
    assert.is((await notice(['0x12'])).error?.code, -32602)
    assert.is(be.builder.mempool.size, 1, 'bad notices remove nothing')
    const { job } = await startJob(be.env)
    const sub = await be.builder.waitForSubmission((s) => s.jobId === job.jobId)
    assert.is(sub.txs, 1, 'the next block carries only the kept transaction')
  } finally {
    await be.close()
  }
})

test.run()
