import {
  accessFor,
  CROSS_L2_INBOX,
  checksum,
  decodeExecutingMessage,
  type ExecutingMessage,
  type Hex,
  isExecutingMessageLog,
  logHash,
  payloadHash,
} from '../interop/index.js'
import { hexToBytes } from '../util/hex.js'
import type { BlockRef } from './types.js'

/** A log as eth_getLogs returns it (the fields the RPC backend reads). */
export type RawLog = {
  address: string
  topics: readonly string[]
  data: string
  logIndex: string | null
  blockHash: string | null
  removed?: boolean
}

/**
 * One block of a source chain as the RPC backend caches it: its header fields and its logs by
 * block-level log index. Checksums and executing messages are computed on first use only: most
 * checks read one log of a block, and keccak of every log would be wasted work.
 */
export class BlockData {
  readonly ref: BlockRef
  readonly chainId: bigint
  readonly #logs = new Map<number, RawLog>()
  readonly #sums = new Map<number, Buffer>()
  #execs: ExecutingMessage[] | 'invalid' | undefined

  constructor(chainId: bigint, ref: BlockRef, logs: readonly RawLog[]) {
    this.chainId = chainId
    this.ref = ref
    for (const log of logs) if (!log.removed && log.logIndex !== null) this.#logs.set(Number(log.logIndex), log)
  }

  get number(): bigint {
    return this.ref.number
  }
  get hash(): Hex {
    return this.ref.hash
  }
  get timestamp(): bigint {
    return this.ref.timestamp
  }

  /** The access-list checksum of the log at `logIndex`, or undefined when the block has no such log. */
  checksum(logIndex: number): Buffer | undefined {
    let sum = this.#sums.get(logIndex)
    if (sum) return sum
    const log = this.#logs.get(logIndex)
    if (!log) return undefined
    const lh = logHash(hexToBytes(log.address), payloadHash(log))
    sum = Buffer.from(
      checksum({
        logHash: lh,
        blockNumber: this.ref.number,
        timestamp: this.ref.timestamp,
        logIndex,
        chainId: this.chainId,
      }),
    )
    this.#sums.set(logIndex, sum)
    return sum
  }

  /**
   * The block's own executing messages (ExecutingMessage events of CrossL2Inbox), in log order;
   * 'invalid' when one of them does not decode (the predeploy never emits such a log).
   */
  executingMessages(): ExecutingMessage[] | 'invalid' {
    if (this.#execs) return this.#execs
    const out: ExecutingMessage[] = []
    try {
      for (const log of [...this.#logs.values()]) {
        if (log.address.toLowerCase() === CROSS_L2_INBOX && isExecutingMessageLog(log))
          out.push(decodeExecutingMessage(log))
      }
      this.#execs = out
    } catch {
      this.#execs = 'invalid'
    }
    return this.#execs
  }
}

/** Whether `message`'s log in `block` carries exactly the checksum its identifier declares. */
export function sameMessage(block: BlockData, message: ExecutingMessage): boolean {
  const id = message.identifier
  if (block.timestamp !== id.timestamp) return false
  const sum = block.checksum(id.logIndex)
  return sum?.equals(hexToBytes(accessFor(id, message.payloadHash).checksum)) === true
}
