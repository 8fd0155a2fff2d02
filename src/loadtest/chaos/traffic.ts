import { randomBytes } from 'node:crypto'
import { setTimeout as pause } from 'node:timers/promises'
import { EMITTER_ADDRESS } from '../../evm/contracts.js'
import type { Hex } from '../../interop/index.js'
import { RemoteRpcError, RpcClient } from '../../rpc/index.js'
import { bytesToHex, hexToBytes } from '../../util/hex.js'
import { keccak256 } from '../../util/keccak.js'
import { LoadtestError } from '../errors.js'
import { type HarvestedLog, harvestChain } from '../harvest.js'
import { fund } from '../ingress.js'
import { derivedKey, type Signer, signer } from '../signer.js'
import { interopFields } from '../txs.js'
import type { ClusterManifest } from './manifest.js'

export type TrafficCase = 'plain' | 'valid' | 'forged'
export type TrafficOptions = {
  /** Transactions per second across all chains, per case. */
  plain: number
  valid: number
  forged: number
  /** Accounts per chain that send (each has at most one transaction in flight, so nonces stay in order). */
  senders: number
  /** The funded key the senders are funded from (default: the dev chains' first account). */
  fundingKey: Hex
  timeoutMs: number
}

/** One transaction sent: its fate at the ingress (and later, at inclusion). */
export type SentTx = {
  chain: string
  case: TrafficCase
  hash: string
  sentMs: number
  answeredMs?: number
  /** accepted: the ingress answered its hash; refused: an error (code); unanswered: no answer within the timeout. */
  outcome: 'accepted' | 'refused' | 'unanswered' | 'pending'
  code?: number
  /** The refusal's message (kept for the first refusals only). */
  message?: string
  /** A valid interop transaction executing a pinned log (the reorg step's): the initiating block. */
  source?: TxSource
}

/** Where a pinned initiating log sits: chain, block number and hash (the reorg step removes that block). */
export type TxSource = { chain: string; blockNumber: number; blockHash: string }

/** Gas of an emitter call with one 32-byte log (~24k), with room. */
const EMITTER_GAS = 60_000n
/** 10 gwei: above engine-sim's 1 gwei genesis base fee, which only falls on the devnet's near-empty blocks. */
const MAX_FEE = 10_000_000_000n
const TIP = 1_000_000_000n
/** Each sender's funding: 1 ETH pays ~1,600 transactions at 60k gas and 10 gwei. */
const FUNDING = 10n ** 18n

type Sender = { s: Signer; nonce: number; busy: boolean; retired: boolean }
type Lane = {
  name: string
  chainId: number
  ingress: string
  client: RpcClient
  senders: Sender[]
  next: number
  logs: HarvestedLog[]
  /** The reorg step's logs: while set, this chain's valid transactions execute only these. */
  pinned: { logs: HarvestedLog[]; source: TxSource } | undefined
  owed: Record<TrafficCase, number>
}

/**
 * Steady traffic through the cluster's three ingresses: plain transactions (emitter calls, each one
 * log), valid interop transactions executing real logs of the other chains, and forged ones (the
 * checksum of another payload). Signing, funding and harvesting are the ingress load test's
 * (signer.ts, ingress.ts's fund, harvest.ts, txs.ts). Senders are fresh accounts derived from a
 * random seed each run (nonces start at 0), funded through the ingress; each sends one transaction at
 * a time, so a refused one leaves no nonce gap (its nonce is used again), and one left unanswered
 * retires its sender (it may have landed). Every transaction is recorded for the figures.
 */
export class Traffic {
  readonly sent: SentTx[] = []
  /** Transactions due while every sender of their chain was busy (the ingress slower than the rate). */
  skipped = 0
  readonly #o: TrafficOptions
  readonly #t0: number
  readonly #lanes: Lane[] = []
  #timer: NodeJS.Timeout | undefined
  readonly #inflight = new Set<Promise<void>>()
  #salt = 0
  #messages = 0

  constructor(o: TrafficOptions, t0: number) {
    this.#o = o
    this.#t0 = t0
  }

  /** Funds the senders and seeds initiating logs on each chain, harvests them, then starts sending. */
  async start(m: ClusterManifest): Promise<void> {
    const funder = signer(this.#o.fundingKey)
    const seed = bytesToHex(randomBytes(32)) as Hex
    for (const c of m.chains) {
      const ingress = m.processes.find((p) => p.role === 'ingress' && p.chain === c.chainId)
      if (!ingress?.rpc) throw new LoadtestError(`the manifest has no ingress for chain ${c.name}`)
      const client = new RpcClient(ingress.rpc, { timeoutMs: this.#o.timeoutMs })
      const senders = Array.from({ length: this.#o.senders }, (_, i) => ({
        s: signer(derivedKey(seed, c.chainId * 10_000 + i)),
        nonce: 0,
        busy: false,
        retired: false,
      }))
      this.#lanes.push({
        name: c.name,
        chainId: c.chainId,
        ingress: ingress.rpc,
        client,
        senders,
        next: 0,
        logs: [],
        pinned: undefined,
        owed: { plain: 0, valid: 0, forged: 0 },
      })
    }
    // Funding and a seed of 8 initiating logs per chain, all chains at once. The funder's nonce is the
    // highest any engine of the chain counts: the ingress's upstream (node 1) may lag after a fault.
    await Promise.all(
      this.#lanes.map(async (l) => {
        const engines = m.processes.filter((p) => p.role === 'engine-sim' && p.chain === l.chainId && p.engine)
        let nonce = 0
        for (const e of engines) {
          const c = new RpcClient(e.engine!, { timeoutMs: this.#o.timeoutMs })
          try {
            const n = await c.call<string>('eth_getTransactionCount', [funder.address, 'pending'])
            nonce = Math.max(nonce, Number(BigInt(n)))
          } catch {
            // a restarting engine: the others answer
          } finally {
            c.close()
          }
        }
        await fund(
          l.client,
          l.ingress,
          funder,
          l.senders.map((x) => x.s),
          FUNDING,
          {
            chainId: BigInt(l.chainId),
            maxFee: MAX_FEE,
            tip: TIP,
            timeoutMs: Math.max(this.#o.timeoutMs, 30_000),
            nonce,
          },
        )
        const first = l.senders[0]!
        const hash = await l.client.call<string>('eth_sendRawTransaction', [
          first.s.sign({ ...this.#common(l, first), to: EMITTER_ADDRESS, gas: 200_000n, data: emitterData(8) }),
        ])
        first.nonce++
        await receipt(l.client, hash, 30_000)
      }),
    )
    // Two slots (at least 2 s): every supervisor polls once a slot, so the seeds are indexed everywhere.
    await pause(Math.max(2_000, 2 * m.slotMs))
    const harvested = await Promise.all(
      this.#lanes.map((l) =>
        harvestChain(l.ingress, {
          blocks: 256,
          maxLogs: 64,
          timeoutMs: this.#o.timeoutMs,
          minSafety: 'unsafe',
          allowEmpty: true,
        }),
      ),
    )
    for (const [i, l] of this.#lanes.entries()) {
      const others = harvested.filter((_, j) => j !== i).flatMap((h) => h.logs)
      l.logs = others.length > 0 ? others : harvested.flatMap((h) => h.logs)
      if (l.logs.length === 0) throw new LoadtestError(`chain ${l.name}: no initiating logs to execute`)
    }
    // Every 100 ms, each chain owes rate / chains / 10 of each case; whole transactions are sent.
    const per = (rate: number) => rate / this.#lanes.length / 10
    this.#timer = setInterval(() => {
      for (const l of this.#lanes)
        for (const k of ['plain', 'valid', 'forged'] as const) {
          l.owed[k] += per(this.#o[k])
          while (l.owed[k] >= 1) {
            l.owed[k]--
            this.#send(l, k)
          }
        }
    }, 100)
  }

  #common(l: Lane, s: Sender) {
    return {
      type: 'eip1559' as const,
      chainId: l.chainId,
      nonce: s.nonce,
      maxFeePerGas: MAX_FEE,
      maxPriorityFeePerGas: TIP,
    }
  }

  #send(l: Lane, kase: TrafficCase): void {
    let sender: Sender | undefined
    for (let k = 0; k < l.senders.length && !sender; k++) {
      const s = l.senders[(l.next + k) % l.senders.length]!
      if (!s.busy && !s.retired) {
        sender = s
        l.next = (l.next + k + 1) % l.senders.length
      }
    }
    if (!sender) {
      this.skipped++
      return
    }
    const salt = this.#salt++
    const pin = kase === 'valid' ? l.pinned : undefined
    const logs = pin?.logs ?? l.logs
    const raw =
      kase === 'plain'
        ? sender.s.sign({ ...this.#common(l, sender), to: EMITTER_ADDRESS, gas: EMITTER_GAS, data: emitterData(1) })
        : sender.s.sign({
            ...this.#common(l, sender),
            ...interopFields(logs[salt % logs.length]!, kase === 'forged', salt, true),
          })
    const tx: SentTx = {
      chain: l.name,
      case: kase,
      hash: txHash(raw),
      sentMs: Math.round(performance.now() - this.#t0),
      outcome: 'pending',
      ...(pin ? { source: pin.source } : {}),
    }
    this.sent.push(tx)
    sender.busy = true
    const s = sender
    const p = l.client
      .call<string>('eth_sendRawTransaction', [raw])
      .then(
        () => {
          tx.outcome = 'accepted'
          s.nonce++
        },
        (err) => {
          if (err instanceof RemoteRpcError) {
            tx.outcome = 'refused'
            tx.code = err.rpcCode
            if (this.#messages++ < 50) tx.message = err.message
          } else {
            // no answer: it may have been forwarded, so this sender's next nonce is unknown
            tx.outcome = 'unanswered'
            s.retired = true
          }
        },
      )
      .finally(() => {
        tx.answeredMs = Math.round(performance.now() - this.#t0)
        s.busy = false
        this.#inflight.delete(p)
      })
    this.#inflight.add(p)
  }

  /**
   * The reorg step's initiating logs: one emitter transaction of `n` logs on chain `name`, sent
   * through its ingress by one of its senders (taken while idle, so its nonce stays in order), and
   * the included logs with the block they sit in.
   */
  async emitLogs(name: string, n: number, timeoutMs = 30_000): Promise<{ logs: HarvestedLog[]; source: TxSource }> {
    const l = this.#lanes.find((x) => x.name === name)
    if (!l) throw new LoadtestError(`the traffic has no chain ${name}`)
    const end = performance.now() + timeoutMs
    let s: Sender | undefined
    while (!(s = l.senders.find((x) => !x.busy && !x.retired))) {
      if (performance.now() > end) throw new LoadtestError(`chain ${name}: no idle sender to emit logs`)
      await pause(20)
    }
    s.busy = true
    try {
      const hash = await l.client.call<string>('eth_sendRawTransaction', [
        s.s.sign({
          ...this.#common(l, s),
          to: EMITTER_ADDRESS,
          gas: 60_000n + 30_000n * BigInt(n),
          data: emitterData(n),
        }),
      ])
      s.nonce++
      const r = await receipt(l.client, hash, timeoutMs)
      const block = await l.client.call<{ hash: string; timestamp: string } | null>('eth_getBlockByHash', [
        r.blockHash,
        false,
      ])
      if (!block) throw new LoadtestError(`chain ${name}: block ${r.blockHash} of the emitted logs is gone`)
      const logs = r.logs.map((g) => ({
        chainId: BigInt(l.chainId),
        origin: g.address,
        blockNumber: BigInt(r.blockNumber),
        logIndex: Number(BigInt(g.logIndex)),
        timestamp: BigInt(block.timestamp),
        topics: g.topics,
        data: g.data,
      }))
      return {
        logs,
        source: { chain: name, blockNumber: Number(BigInt(r.blockNumber)), blockHash: r.blockHash.toLowerCase() },
      }
    } finally {
      s.busy = false
    }
  }

  /** Chains `names`' valid transactions execute only `logs` from now on (undefined: back to the harvested ones). */
  pin(names: readonly string[], pinned: { logs: HarvestedLog[]; source: TxSource } | undefined): void {
    for (const name of names) {
      const l = this.#lanes.find((x) => x.name === name)
      if (!l) throw new LoadtestError(`the traffic has no chain ${name}`)
      l.pinned = pinned
    }
  }

  /** Stops sending and waits for every answer. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    await Promise.all([...this.#inflight])
  }

  close(): void {
    clearInterval(this.#timer)
    for (const l of this.#lanes) l.client.close()
  }
}

/** The emitter's calldata: `n` logs of one random 32-byte payload. */
function emitterData(n: number): Hex {
  return `0x${n.toString(16).padStart(64, '0')}${randomBytes(32).toString('hex')}` as Hex
}

function txHash(raw: Hex): string {
  return bytesToHex(keccak256(hexToBytes(raw))).toLowerCase()
}

type Receipt = {
  status: string
  blockNumber: string
  blockHash: string
  logs: { address: Hex; topics: Hex[]; data: Hex; logIndex: string }[]
}

async function receipt(client: RpcClient, hash: string, timeoutMs: number): Promise<Receipt> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const r = await client.call<Receipt | null>('eth_getTransactionReceipt', [hash]).catch(() => null)
    if (r) {
      if (r.status !== '0x1') throw new LoadtestError(`seed transaction ${hash} failed`)
      return r
    }
    if (Date.now() > end) throw new LoadtestError(`seed transaction ${hash} not included within ${timeoutMs} ms`)
    await pause(100)
  }
}
