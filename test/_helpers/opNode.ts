import { keccak256, toHex } from 'viem'
import { serializeTransaction } from 'viem/op-stack'
import type { ForkchoiceStateV1, Hex, PayloadAttributesV3 } from '../../src/engine/types.js'
import { RpcClient } from '../../src/rpc/client.js'

type Envelope = {
  executionPayload: {
    blockHash: Hex
    blockNumber: Hex
    timestamp: Hex
    transactions: Hex[]
    gasUsed: Hex
    [k: string]: unknown
  }
  parentBeaconBlockRoot: Hex
  executionRequests?: Hex[]
  blockValue: Hex
  [k: string]: unknown
}

export type OpNodeOptions = {
  /** Where op-node's engine URL points: the superguard proxy (or an engine, for comparison). */
  engineUrl: string
  jwtSecret: Buffer
  /** Engines that follow the chain as p2p gossip would feed them (e.g. a builder's engine-sim). */
  followers?: { url: string; jwtSecret: Buffer }[]
  /** 'fast': parent + 1 s (runs ahead of the clock; tests seal when they choose). 'wall': now + 1 s rounded up (a deadline ~1–2 s away). */
  clock?: 'fast' | 'wall'
  eip1559Params?: Hex | null
  minBaseFee?: Hex | null
  gasLimit?: Hex
  /** Seal with engine_getPayloadV5, as op-node does after Karst (inserting still uses engine_newPayloadV4). */
  karst?: boolean
}

export type StartedBlock = { payloadId: Hex; attributes: PayloadAttributesV3; state: ForkchoiceStateV1; version: 3 | 4 }

const ZERO: Hex = `0x${'00'.repeat(32)}`

/** A deposit transaction standing in for op-node's L1-info deposit: unique per block number. */
export function depositTx(n: bigint, tag = 'l1info'): Hex {
  return serializeTransaction({
    type: 'deposit',
    sourceHash: keccak256(toHex(`${tag}:${n}`)),
    from: '0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001',
    to: '0x4200000000000000000000000000000000000015',
    mint: 0n,
    value: 0n,
    gas: 1_000_000n,
    isSystemTx: false,
    data: '0x440a5e20',
  })
}

/**
 * The op-node stand-in: drives an Engine API endpoint slot by slot exactly as op-node's sequencer
 * does — forkchoiceUpdatedV3 with attributes (forced L1-info deposit first), getPayload at the
 * seal, then newPayload and forkchoiceUpdatedV3 to the sealed block — with a JWT on every call.
 * Followers get newPayload + forkchoiceUpdated for each sealed block (gossip).
 */
export class OpNode {
  readonly rpc: RpcClient
  readonly o: OpNodeOptions
  readonly followers: RpcClient[]
  head!: { hash: Hex; number: bigint; timestamp: bigint }
  safe: Hex = ZERO
  version: 3 | 4 = 4

  constructor(o: OpNodeOptions) {
    this.o = o
    this.rpc = new RpcClient(o.engineUrl, { jwtSecret: o.jwtSecret, timeoutMs: 10_000 })
    this.followers = (o.followers ?? []).map((f) => new RpcClient(f.url, { jwtSecret: f.jwtSecret, timeoutMs: 10_000 }))
  }

  async init(): Promise<this> {
    const b = await this.rpc.call<{ hash: Hex; number: Hex; timestamp: Hex; requestsHash?: Hex }>(
      'eth_getBlockByNumber',
      ['latest', false],
    )
    this.head = { hash: b.hash, number: BigInt(b.number), timestamp: BigInt(b.timestamp) }
    this.version = b.requestsHash ? 4 : 3
    this.safe = b.hash
    return this
  }

  state(head = this.head.hash): ForkchoiceStateV1 {
    return { headBlockHash: head, safeBlockHash: this.safe, finalizedBlockHash: this.safe }
  }

  nextTimestamp(): bigint {
    if (this.o.clock === 'wall') {
      const next = BigInt(Math.floor(Date.now() / 1000) + 2)
      return next > this.head.timestamp ? next : this.head.timestamp + 1n
    }
    return this.head.timestamp + 1n
  }

  attributes(over: Partial<PayloadAttributesV3> = {}): PayloadAttributesV3 {
    return {
      timestamp: toHex(this.nextTimestamp()),
      prevRandao: keccak256(toHex(`randao:${this.head.number + 1n}`)),
      suggestedFeeRecipient: '0x4200000000000000000000000000000000000011',
      withdrawals: [],
      parentBeaconBlockRoot: keccak256(toHex(`beacon:${this.head.number + 1n}`)),
      transactions: [depositTx(this.head.number + 1n)],
      noTxPool: false,
      gasLimit: this.o.gasLimit ?? '0x1c9c380',
      eip1559Params: this.o.eip1559Params === undefined ? '0x000000fa00000006' : this.o.eip1559Params,
      minBaseFee: this.o.minBaseFee ?? null,
      ...over,
    }
  }

  /** BuildStart: forkchoiceUpdatedV3 with attributes. */
  async startBlock(over: Partial<PayloadAttributesV3> = {}): Promise<StartedBlock> {
    const attributes = this.attributes(over)
    const state = this.state()
    const r = await this.rpc.call<{ payloadId: Hex | null; payloadStatus: { status: string } }>(
      'engine_forkchoiceUpdatedV3',
      [state, attributes],
    )
    if (!r.payloadId) throw new Error(`no payload id (${r.payloadStatus.status})`)
    return { payloadId: r.payloadId, attributes, state, version: this.version }
  }

  /** BuildSeal: engine_getPayloadV3/V4. */
  seal(b: StartedBlock): Promise<Envelope> {
    const v = this.o.karst && b.version === 4 ? 5 : b.version
    return this.rpc.call<Envelope>(`engine_getPayloadV${v}`, [b.payloadId])
  }

  /** PayloadProcess: newPayload then forkchoiceUpdated to the block; gossip to followers. */
  async insert(env: Envelope): Promise<void> {
    const p = env.executionPayload
    const params: unknown[] = [p, [], env.parentBeaconBlockRoot]
    if (this.version === 4) params.push(env.executionRequests ?? [])
    const st = await this.rpc.call<{ status: string; validationError?: string }>(
      `engine_newPayloadV${this.version}`,
      params,
    )
    if (st.status !== 'VALID') throw new Error(`newPayload ${st.status}: ${st.validationError}`)
    await this.rpc.call('engine_forkchoiceUpdatedV3', [this.state(p.blockHash), null])
    this.head = { hash: p.blockHash, number: BigInt(p.blockNumber), timestamp: BigInt(p.timestamp) }
    await Promise.all(
      this.followers.map(async (f) => {
        await f.call(`engine_newPayloadV${this.version}`, params)
        await f.call('engine_forkchoiceUpdatedV3', [this.state(p.blockHash), null])
      }),
    )
  }

  /** One whole slot; `between` runs after the build started and before the seal (submit, await events). */
  async slot(between?: (b: StartedBlock) => Promise<void>): Promise<Envelope> {
    const b = await this.startBlock()
    if (between) await between(b)
    const env = await this.seal(b)
    await this.insert(env)
    return env
  }

  close(): void {
    this.rpc.close()
    for (const f of this.followers) f.close()
  }
}
