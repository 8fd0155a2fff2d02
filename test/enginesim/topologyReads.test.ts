import { randomBytes } from 'node:crypto'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startEngineSim } from '../../src/enginesim/start.js'
import { RemoteRpcError, RpcClient } from '../../src/rpc/index.js'

const ZERO = `0x${'00'.repeat(32)}`

test('engine_getPayloadBodiesByRangeV1: bodies of canonical blocks, none past the head, -38004 above 1024', async () => {
  const secret = randomBytes(32)
  const e = await startEngineSim({ jwtSecret: secret, chainId: 901 })
  const rpc = new RpcClient(e.url, { timeoutMs: 2000, jwtSecret: secret })
  try {
    const head = e.sim.chain.head
    const ts = `0x${(head.timestamp + 2n).toString(16)}`
    const fcu = await rpc.call<{ payloadId: string }>('engine_forkchoiceUpdatedV3', [
      { headBlockHash: head.hash, safeBlockHash: head.hash, finalizedBlockHash: head.hash },
      {
        timestamp: ts,
        prevRandao: ZERO,
        suggestedFeeRecipient: `0x${'11'.repeat(20)}`,
        withdrawals: [],
        parentBeaconBlockRoot: ZERO,
        gasLimit: '0x1c9c380',
        eip1559Params: '0x0000000000000000',
      },
    ])
    const env = await rpc.call<{ executionPayload: { blockHash: string } }>('engine_getPayloadV4', [fcu.payloadId])
    await rpc.call('engine_newPayloadV4', [env.executionPayload, [], ZERO, []])
    const h = env.executionPayload.blockHash
    await rpc.call('engine_forkchoiceUpdatedV3', [{ headBlockHash: h, safeBlockHash: h, finalizedBlockHash: h }, null])
    assert.equal(await rpc.call('engine_getPayloadBodiesByRangeV1', ['0x1', '0x5']), [
      { transactions: [], withdrawals: [] },
    ])
    const err = await rpc.call('engine_getPayloadBodiesByRangeV1', ['0x1', '0x401']).catch((x: unknown) => x)
    assert.ok(err instanceof RemoteRpcError && err.rpcCode === -38004)
  } finally {
    rpc.close()
    await e.close()
  }
})

test.run()
