import { randomBytes } from 'node:crypto'
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { serializeTransaction as serializeOpTransaction } from 'viem/op-stack'
import type {
  ExecutionPayloadV3,
  ForkchoiceUpdatedResult,
  GetPayloadV4Result,
  Hex,
  PayloadAttributesV3,
  PayloadStatusV1,
} from '../../src/engine/index.js'
import { type EngineSimConfig, type EngineSimHandle, startEngineSim } from '../../src/enginesim/index.js'
import { RpcClient } from '../../src/rpc/client.js'

export const CHAIN_ID = 901
export const GENESIS_TIME = 1_700_000_000
export const FEE_RECIPIENT: Hex = '0x4200000000000000000000000000000000000011'
export const BEACON_ROOT: Hex = `0x${'be'.repeat(32)}`

export type Sim = EngineSimHandle & { engine: RpcClient; eth: RpcClient; secret: Buffer }

/**
 * An engine-sim on a free port with a fresh secret, plus an authenticated and a plain client. These
 * Engine API rule tests sign with unfunded random keys, so they run the stand-in execution unless
 * `cfg.execution` says `evm` (test/evm/ covers EVM execution).
 */
export async function startSim(cfg: Partial<EngineSimConfig> = {}): Promise<Sim> {
  const secret = cfg.jwtSecret ?? randomBytes(32)
  const handle = await startEngineSim({
    chainId: CHAIN_ID,
    genesisTime: GENESIS_TIME,
    execution: 'sim',
    ...cfg,
    jwtSecret: secret,
  })
  const engine = new RpcClient(handle.url, { jwtSecret: secret, timeoutMs: 10_000 })
  const eth = new RpcClient(handle.url, { timeoutMs: 10_000 })
  return {
    ...handle,
    engine,
    eth,
    secret,
    close: async () => {
      engine.close()
      eth.close()
      await handle.close()
    },
  }
}

/** A funded-nowhere sender: the sim has no balances, any key signs valid transactions. */
export function newAccount(): PrivateKeyAccount {
  return privateKeyToAccount(generatePrivateKey())
}

export function signTx(
  account: PrivateKeyAccount,
  nonce: number,
  opts: { tip?: bigint; feeCap?: bigint; gas?: bigint; data?: Hex; chainId?: number } = {},
): Promise<Hex> {
  return account.signTransaction({
    type: 'eip1559',
    chainId: opts.chainId ?? CHAIN_ID,
    nonce,
    to: '0x000000000000000000000000000000000000dEaD',
    value: 1n,
    gas: opts.gas ?? 50_000n,
    maxFeePerGas: opts.feeCap ?? 10_000_000_000n,
    maxPriorityFeePerGas: opts.tip ?? 1_000_000n,
    data: opts.data,
  })
}

/** A deposit transaction (type 0x7e), like op-node's L1-info deposit; `n` makes each one distinct. */
export function depositTx(n: number): Hex {
  return serializeOpTransaction({
    type: 'deposit',
    sourceHash: `0x${n.toString(16).padStart(64, '0')}`,
    from: '0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001',
    to: '0x4200000000000000000000000000000000000015',
    mint: 0n,
    value: 0n,
    gas: 1_000_000n,
    isSystemTx: false,
    data: '0x440a5e20',
  })
}

export function attributes(timestamp: bigint, over: Partial<PayloadAttributesV3> = {}): PayloadAttributesV3 {
  return {
    timestamp: `0x${timestamp.toString(16)}`,
    prevRandao: `0x${'11'.repeat(32)}`,
    suggestedFeeRecipient: FEE_RECIPIENT,
    withdrawals: [],
    parentBeaconBlockRoot: BEACON_ROOT,
    transactions: [depositTx(Number(timestamp))],
    noTxPool: false,
    gasLimit: '0x1c9c380',
    eip1559Params: '0x000000fa00000006',
    ...over,
  }
}

export type Head = { hash: Hex; number: bigint; timestamp: bigint }

export async function headOf(s: Sim): Promise<Head> {
  const b = await s.eth.call<{ hash: Hex; number: Hex; timestamp: Hex }>('eth_getBlockByNumber', ['latest', false])
  return { hash: b.hash, number: BigInt(b.number), timestamp: BigInt(b.timestamp) }
}

export const fcu = (s: Sim, head: Hex, attrs: PayloadAttributesV3 | null = null, safe: Hex = `0x${'00'.repeat(32)}`) =>
  s.engine.call<ForkchoiceUpdatedResult>('engine_forkchoiceUpdatedV3', [
    { headBlockHash: head, safeBlockHash: safe, finalizedBlockHash: `0x${'00'.repeat(32)}` },
    attrs,
  ])

export const newPayloadV4 = (s: Sim, p: ExecutionPayloadV3, root: Hex = BEACON_ROOT) =>
  s.engine.call<PayloadStatusV1>('engine_newPayloadV4', [p, [], root, []])

/** FCU with attributes on `parent`, then getPayloadV4: the block the sim seals. */
export async function build(
  s: Sim,
  parent: Head,
  over: Partial<PayloadAttributesV3> = {},
): Promise<GetPayloadV4Result> {
  const res = await fcu(s, parent.hash, attributes(parent.timestamp + 2n, over))
  if (!res.payloadId) throw new Error(`no payload id: ${JSON.stringify(res)}`)
  return s.engine.call<GetPayloadV4Result>('engine_getPayloadV4', [res.payloadId])
}

/** Builds, imports and makes canonical one block; returns the new head. */
export async function advance(
  s: Sim,
  over: Partial<PayloadAttributesV3> = {},
): Promise<{ head: Head; envelope: GetPayloadV4Result }> {
  const parent = await headOf(s)
  const envelope = await build(s, parent, over)
  const status = await newPayloadV4(s, envelope.executionPayload, envelope.parentBeaconBlockRoot)
  if (status.status !== 'VALID') throw new Error(`own block not VALID: ${JSON.stringify(status)}`)
  await fcu(s, envelope.executionPayload.blockHash)
  const p = envelope.executionPayload
  return { head: { hash: p.blockHash, number: BigInt(p.blockNumber), timestamp: BigInt(p.timestamp) }, envelope }
}
