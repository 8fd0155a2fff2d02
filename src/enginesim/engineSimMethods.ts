import type { Hex } from '../engine/types.js'
import {
  parseDataList,
  parseExecutionPayload,
  parseForkchoiceState,
  parsePayloadAttributes,
} from '../engine/validate.js'
import { InternalError, InvalidParamsError } from '../errors/index.js'
import type { RpcMethod } from '../rpc/index.js'
import { isHex, toQuantity } from '../util/hex.js'
import { EthServerError } from './errors.js'
import { patchFaults } from './faults.js'
import { feeHistory, suggestTip } from './feeViews.js'
import { MAX_LOG_RANGE, parseLogQuery } from './logFilter.js'
import { payloadBodiesByRange } from './payloadBodies.js'
import type { EngineSim } from './sim.js'

export const CAPABILITIES = [
  'engine_exchangeCapabilities',
  'engine_forkchoiceUpdatedV3',
  'engine_getPayloadV3',
  'engine_getPayloadV4',
  'engine_getPayloadV5',
  'engine_newPayloadV3',
  'engine_newPayloadV4',
  'engine_getClientVersionV1',
  'engine_getPayloadBodiesByRangeV1',
] as const

const VERSION = '0.1.0'

/**
 * Runs a shape check of src/engine/validate.ts: its TypeErrors name the bad field and become
 * -32602. Anything else thrown while looking at client input (a RangeError from a value nested
 * 60k deep) is still the client's mistake: -32602 with our words, never the engine's text.
 */
function param<T>(parse: () => T): T {
  try {
    return parse()
  } catch (err) {
    if (err instanceof InvalidParamsError) throw err
    if (err instanceof TypeError) throw new InvalidParamsError(err.message)
    if (err instanceof RangeError) throw new InvalidParamsError('params nested too deep')
    throw err
  }
}

function payloadIdParam(v: unknown): Hex {
  if (!isHex(v, 8)) throw new InvalidParamsError('payloadId: expected 8 bytes of hex')
  return v
}

/** The engine-sim's JSON-RPC method table (engine_, eth_, txpool_, sim_), with fault injection applied. */
export function engineSimMethods(sim: EngineSim): Map<string, RpcMethod> {
  const m = new Map<string, RpcMethod>()
  const engine = (name: string, fn: (p: readonly unknown[]) => unknown) =>
    m.set(name, async (p) => {
      if (sim.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, sim.faults.latencyMs))
      return sim.serial(() => fn(p))
    })

  engine('engine_exchangeCapabilities', () => [...CAPABILITIES])
  engine('engine_getClientVersionV1', () => [
    { code: 'SG', name: 'superguard-engine-sim', version: VERSION, commit: '0x00000000' },
  ])
  engine('engine_forkchoiceUpdatedV3', (p) => {
    const state = param(() => parseForkchoiceState(p[0]))
    const attrs = p[1] === undefined || p[1] === null ? null : param(() => parsePayloadAttributes(p[1]))
    return sim.forkchoiceUpdated(state, attrs)
  })
  engine('engine_getPayloadV5', (p) => sim.getPayload(payloadIdParam(p[0]), 5))
  engine('engine_getPayloadBodiesByRangeV1', payloadBodiesByRange(sim))
  for (const v of [3, 4] as const) {
    engine(`engine_getPayloadV${v}`, (p) => sim.getPayload(payloadIdParam(p[0]), v))
    engine(`engine_newPayloadV${v}`, (p) => {
      const payload = param(() => parseExecutionPayload(p[0]))
      const blobHashes = param(() => parseDataList(p[1], 'expectedBlobVersionedHashes', 32))
      if (!isHex(p[2], 32)) throw new InvalidParamsError('parentBeaconBlockRoot: expected 32 bytes of hex')
      const requests = v === 4 ? param(() => parseDataList(p[3], 'executionRequests')) : undefined
      return sim.newPayload(v, payload, blobHashes, p[2], requests)
    })
  }

  m.set('eth_chainId', () => toQuantity(sim.chainId))
  m.set('net_version', () => String(sim.chainId))
  m.set('web3_clientVersion', () => `superguard-engine-sim/v${VERSION}`)
  m.set('eth_syncing', () => false)
  m.set('eth_blockNumber', () => toQuantity(sim.chain.head.number))
  m.set('eth_getBlockByNumber', (p) => {
    const b = param(() => sim.blockByTag(p[0]))
    return b ? sim.rpcBlock(b, p[1] === true) : null
  })
  m.set('eth_getBlockByHash', (p) => {
    if (!isHex(p[0], 32)) throw new InvalidParamsError('block hash: expected 32 bytes of hex')
    const b = sim.chain.get(p[0])
    return b ? sim.rpcBlock(b, p[1] === true) : null
  })
  m.set('eth_sendRawTransaction', (p) => {
    // geth: not hex bytes at all is the client's -32602; hex that does not decode is a rejection (-32000).
    if (!isHex(p[0])) throw new InvalidParamsError('transaction: expected hex data')
    return sim.sendRawTransaction(p[0])
  })
  m.set('eth_getTransactionByHash', (p) => {
    if (!isHex(p[0], 32)) throw new InvalidParamsError('transaction hash: expected 32 bytes of hex')
    return sim.transactionByHash(p[0])
  })
  m.set('eth_getTransactionReceipt', (p) => {
    if (!isHex(p[0], 32)) throw new InvalidParamsError('transaction hash: expected 32 bytes of hex')
    return sim.receiptByHash(p[0])
  })
  m.set('eth_getBlockReceipts', (p) => {
    const b = isHex(p[0], 32) ? sim.chain.get(p[0]) : param(() => sim.blockByTag(p[0]))
    if (!b) return null
    return sim.blockReceipts(b) ?? null
  })
  m.set('eth_getLogs', (p) => {
    const q = parseLogQuery(p[0])
    if (q.blockHash) {
      const b = sim.chain.get(q.blockHash)
      if (!b) throw new EthServerError('unknown block')
      return sim.logsOf(b, q)
    }
    const from =
      q.fromBlock === undefined || q.fromBlock === null ? sim.chain.head : param(() => sim.blockByTag(q.fromBlock))
    const to = q.toBlock === undefined || q.toBlock === null ? sim.chain.head : param(() => sim.blockByTag(q.toBlock))
    // geth: a range past the head ends at the head; one that starts past it is empty.
    if (!from) return []
    const end = to ?? sim.chain.head
    if (from.number > end.number) throw new EthServerError('invalid block range params')
    if (end.number - from.number >= MAX_LOG_RANGE)
      throw new EthServerError(`exceed maximum block range: ${MAX_LOG_RANGE}`)
    const out: Record<string, unknown>[] = []
    for (let n = from.number; n <= end.number; n++) {
      const b = sim.chain.byNumber(n)
      if (b) out.push(...sim.logsOf(b, q))
    }
    return out
  })
  // State reads at the block asked (stateViews.ts); geth requires the block argument of these four.
  const account = (v: unknown): Hex => {
    if (!isHex(v, 20)) throw new InvalidParamsError('address: expected a 20-byte address')
    return v
  }
  const required = (p: readonly unknown[], i: number): unknown => {
    if (p[i] === undefined) throw new InvalidParamsError(`missing value for required argument ${i}`)
    return p[i]
  }
  m.set('eth_getBalance', (p) => sim.state.balance(account(p[0]), required(p, 1)))
  m.set('eth_getCode', (p) => sim.state.code(account(p[0]), required(p, 1)))
  m.set('eth_getTransactionCount', (p) => sim.state.transactionCount(account(p[0]), required(p, 1)))
  m.set('eth_getStorageAt', (p) => {
    const key = p[1]
    if (typeof key !== 'string' || !/^(0x)?[0-9a-fA-F]{0,64}$/.test(key) || key.replace(/^0x/, '').length === 0)
      throw new InvalidParamsError('storage slot: expected at most 32 bytes of hex')
    const slot = `0x${key.replace(/^0x/, '').padStart(64, '0')}` as Hex
    return sim.state.storageAt(account(p[0]), slot, required(p, 2))
  })
  // The third parameter is geth's state override; a fourth (block overrides) is not supported.
  m.set('eth_call', (p) => {
    if (p[3] !== undefined && p[3] !== null) throw new InvalidParamsError('block overrides are not supported')
    return sim.state.call(p[0], p[1], p[2])
  })
  m.set('eth_estimateGas', (p) => {
    if (p[3] !== undefined && p[3] !== null) throw new InvalidParamsError('block overrides are not supported')
    return sim.state.estimateGas(p[0], p[1], p[2])
  })
  m.set('eth_maxPriorityFeePerGas', () => toQuantity(suggestTip(sim.chain.head)))
  // geth: the suggested tip plus the head's base fee.
  m.set('eth_gasPrice', () => toQuantity(suggestTip(sim.chain.head) + sim.chain.head.baseFee))
  m.set('eth_feeHistory', (p) => {
    const newest = p[1]
    if (typeof newest === 'string' && /^0x[0-9a-fA-F]+$/.test(newest) && BigInt(newest) > sim.chain.head.number)
      throw new EthServerError(`request beyond head block: requested ${BigInt(newest)}, head ${sim.chain.head.number}`)
    return feeHistory(sim.chain, sim.fork, sim.state.block(required(p, 1)), required(p, 0), p[2])
  })
  m.set('txpool_content', () => sim.pool.content((tx) => sim.poolTransaction(tx)))

  // Fault injection wraps everything but the controls, so a test can always switch it off.
  for (const [name, fn] of m) {
    m.set(name, (p, ctx) => {
      if (sim.faults.errorMethods.includes(name)) throw new InternalError({ details: 'injected fault' })
      return fn(p, ctx)
    })
  }
  m.set('sim_getFaults', () => sim.faults)
  m.set('sim_execution', () => sim.execution)
  // The reference builder's execution (README: engine-sim, `sim_buildBlock`); serialized with the Engine API.
  engine('sim_buildBlock', async (p) => {
    const req = p[0] as Record<string, unknown> | undefined
    if (typeof req !== 'object' || req === null) throw new InvalidParamsError('request: expected an object')
    if (!isHex(req.parentHash, 32)) throw new InvalidParamsError('parentHash: expected 32 bytes of hex')
    const attrs = param(() => parsePayloadAttributes(req.attributes))
    const txs = param(() => parseDataList(req.transactions, 'transactions'))
    if (sim.execution !== 'evm') throw new EthServerError('sim_buildBlock needs --execution evm')
    const built = await sim.buildBlock(req.parentHash, attrs, txs)
    if (!built) return null
    return { executionPayload: built.payload, blockValue: toQuantity(built.blockValue), included: built.included }
  })
  // geth's debug_setHead (JWT here, as geth serves debug_ only where enabled): the devnet's reorgs.
  engine('debug_setHead', async (p) => {
    if (typeof p[0] !== 'string' || !/^0x(0|[1-9a-fA-F][0-9a-fA-F]{0,15})$/.test(p[0]))
      throw new InvalidParamsError('number: expected a hex quantity')
    await sim.setHead(BigInt(p[0]))
    return null
  })
  m.set('sim_setFaults', (p) => (sim.faults = patchFaults(sim.faults, p[0])))
  return m
}
