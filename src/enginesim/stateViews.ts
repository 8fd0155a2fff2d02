import type { Mempool } from '../engine/mempool.js'
import type { Hex } from '../engine/types.js'
import { InvalidParamsError } from '../errors/index.js'
import type { CallEnv, CallMsg, CallOutcome, StateOverride, StateReader } from '../evm/index.js'
import { isHex, toQuantity } from '../util/hex.js'
import { viemUtils } from '../util/lazyViem.js'
import { type CallArgs, parseCallArgs, parseStateOverride, RPC_GAS_CAP } from './callArgs.js'
import type { Chain, SimBlock } from './chain.js'
import { EthServerError, ExecutionRevertedError } from './errors.js'

const BLOCK_NUMBER = /^0x(0|[1-9a-fA-F][0-9a-fA-F]{0,15})$/
const TAGS = new Set(['latest', 'pending', 'safe', 'finalized', 'earliest'])
const TX_GAS = 21_000n
const CALL_STIPEND = 2_300n
/** geth's estimateGasErrorRatio: the binary search stops within 1.5% of the smallest gas that works. */
const ESTIMATE_ERROR_RATIO = 0.015

/** Solidity's Panic(uint256) codes in geth's words (accounts/abi UnpackRevert). */
const PANIC_REASONS: Record<string, string> = {
  '0': 'generic panic',
  '1': 'assert(false)',
  '17': 'arithmetic underflow or overflow',
  '18': 'division or modulo by zero',
  '33': 'enum overflow',
  '34': 'invalid encoded storage byte array accessed',
  '49': 'out-of-bounds array access; popping on an empty array',
  '50': 'out-of-bounds access of an array or bytesN',
  '65': 'out of memory',
  '81': 'uninitialized function',
}

/** geth's revert error: code 3, `execution reverted: <reason>` when Error(string)/Panic decode, data the revert bytes. */
export function revertError(data: Hex): ExecutionRevertedError {
  const body = `0x${data.slice(10)}` as Hex
  let reason: string | undefined
  try {
    if (data.startsWith('0x08c379a0')) reason = viemUtils().decodeAbiParameters([{ type: 'string' }], body)[0]
    else if (data.startsWith('0x4e487b71')) {
      const code = viemUtils().decodeAbiParameters([{ type: 'uint256' }], body)[0]
      reason = PANIC_REASONS[code.toString()] ?? `unknown panic code: 0x${code.toString(16)}`
    }
  } catch {
    reason = undefined
  }
  return new ExecutionRevertedError(reason, data)
}

/**
 * engine-sim's state reads (geth's eth_getBalance, eth_getCode, eth_getStorageAt,
 * eth_getTransactionCount, eth_call, eth_estimateGas) on the state of the block asked: a number,
 * a hash, EIP-1898's {blockNumber | blockHash, requireCanonical}, or a tag (latest and pending:
 * the head; safe and finalized: forkchoice's; earliest: genesis). States older than the kept
 * window answer geth's `missing trie node <root> (path ) <nil>`.
 */
export class StateViews {
  readonly #chain: Chain
  readonly #pool: Mempool
  readonly #reader: StateReader | undefined

  constructor(chain: Chain, pool: Mempool, reader: StateReader | undefined) {
    this.#chain = chain
    this.#pool = pool
    this.#reader = reader
  }

  /** The block a state method names; geth's `header not found` for a number past the head. */
  block(ref: unknown): SimBlock {
    if (typeof ref === 'string' && TAGS.has(ref)) {
      if (ref === 'safe') return this.#chain.safe
      if (ref === 'finalized') return this.#chain.finalized
      if (ref === 'earliest') return this.#chain.genesis
      return this.#chain.head
    }
    if (typeof ref === 'string' && BLOCK_NUMBER.test(ref)) {
      const b = this.#chain.byNumber(BigInt(ref))
      if (!b) throw new EthServerError('header not found')
      return b
    }
    if (isHex(ref, 32)) return this.#byHash(ref, false)
    if (typeof ref === 'object' && ref !== null && !Array.isArray(ref)) {
      const o = ref as { blockHash?: unknown; blockNumber?: unknown; requireCanonical?: unknown }
      if (o.blockHash !== undefined && o.blockNumber !== undefined)
        throw new InvalidParamsError('block: blockHash and blockNumber are mutually exclusive')
      if (isHex(o.blockHash, 32)) return this.#byHash(o.blockHash, o.requireCanonical === true)
      if (o.blockNumber !== undefined) return this.block(o.blockNumber)
    }
    throw new InvalidParamsError(
      'block: expected a hex quantity, a block hash, {blockHash|blockNumber} or latest, pending, safe, finalized, earliest',
    )
  }

  #byHash(hash: Hex, requireCanonical: boolean): SimBlock {
    const b = this.#chain.get(hash)
    if (!b) throw new EthServerError('header for hash not found')
    if (requireCanonical && !this.#chain.isCanonical(b)) throw new EthServerError('hash is not currently canonical')
    return b
  }

  /** The reader and the state root of `b`, or geth's missing-state error. */
  #state(b: SimBlock, method: string): { reader: StateReader; root: Hex } {
    const reader = this.#reader
    if (!reader) throw new EthServerError(`${method} needs --execution evm (the stand-in keeps no state)`)
    const root = b.payload.stateRoot
    if (!reader.has(root)) throw new EthServerError(`missing trie node ${root.slice(2)} (path ) <nil>`)
    return { reader, root }
  }

  async balance(address: Hex, ref: unknown): Promise<Hex> {
    const { reader, root } = this.#state(this.block(ref), 'eth_getBalance')
    return toQuantity((await reader.account(root, address)).balance)
  }

  async code(address: Hex, ref: unknown): Promise<Hex> {
    const { reader, root } = this.#state(this.block(ref), 'eth_getCode')
    return reader.code(root, address)
  }

  async storageAt(address: Hex, slot: Hex, ref: unknown): Promise<Hex> {
    const { reader, root } = this.#state(this.block(ref), 'eth_getStorageAt')
    return reader.storage(root, address, slot)
  }

  /** The state nonce; `pending` adds the pool's transactions with consecutive nonces after it (geth's pool.Nonce). */
  async transactionCount(address: Hex, ref: unknown): Promise<Hex> {
    const { reader, root } = this.#state(this.block(ref), 'eth_getTransactionCount')
    let nonce = (await reader.account(root, address)).nonce
    if (ref === 'pending') {
      const from = address.toLowerCase()
      const pooled = new Set<bigint>()
      for (const tx of this.#pool.entries()) if (tx.from.toLowerCase() === from) pooled.add(tx.nonce)
      while (pooled.has(nonce)) nonce++
    }
    return toQuantity(nonce)
  }

  #env(b: SimBlock): CallEnv {
    return {
      stateRoot: b.payload.stateRoot,
      number: b.number,
      timestamp: b.timestamp,
      coinbase: b.payload.feeRecipient,
      gasLimit: b.gasLimit,
      baseFee: b.baseFee,
      prevRandao: b.payload.prevRandao,
    }
  }

  #run(reader: StateReader, b: SimBlock, msg: CallMsg, overrides?: StateOverride): Promise<CallOutcome> {
    return reader.call(this.#env(b), msg, (n) => this.#chain.ancestorHash(b, n), overrides)
  }

  /** eth_call: the return data, geth's revert error (code 3) or its error text (-32000); `overrides` geth's state override. */
  async call(args: unknown, ref: unknown, overrides?: unknown): Promise<Hex> {
    const a = parseCallArgs(args)
    const ov = parseStateOverride(overrides)
    const b = this.block(ref ?? 'latest')
    const { reader } = this.#state(b, 'eth_call')
    const gas = a.gas === undefined || a.gas > RPC_GAS_CAP ? RPC_GAS_CAP : a.gas
    const out = await this.#run(reader, b, { ...a, gas }, ov)
    switch (out.kind) {
      case 'ok':
        return out.returnData
      case 'revert':
        if (out.returnData !== '0x') throw revertError(out.returnData)
        throw new EthServerError('execution reverted')
      case 'vmError':
      case 'invalid':
        throw new EthServerError(out.error)
    }
  }

  /**
   * eth_estimateGas as geth's gasestimator: the highest allowance (the caller's gas, else the block
   * gas limit; capped by what the balance pays at the fee cap and by the RPC gas cap) must work;
   * a plain transfer tries 21000 first; then a binary search from the gas used, stopping within
   * 1.5% (geth's error ratio), after one optimistic try at (used + refund + 2300) × 64/63.
   */
  async estimateGas(args: unknown, ref: unknown, overrides?: unknown): Promise<Hex> {
    const a: CallArgs = parseCallArgs(args)
    const ov = parseStateOverride(overrides)
    const b = this.block(ref ?? 'latest')
    const { reader, root } = this.#state(b, 'eth_estimateGas')
    let hi = a.gas !== undefined && a.gas >= TX_GAS ? a.gas : b.gasLimit
    if (a.feeCap > 0n) {
      const balance = ov?.get(a.from)?.balance ?? (await reader.account(root, a.from)).balance
      if (a.value >= balance && a.value > 0n) throw new EthServerError('insufficient funds for transfer')
      const allowance = (balance - a.value) / a.feeCap
      if (hi > allowance) hi = allowance
    }
    if (hi > RPC_GAS_CAP) hi = RPC_GAS_CAP
    const run = async (gas: bigint): Promise<{ failed: boolean; out: CallOutcome }> => {
      const out = await this.#run(reader, b, { ...a, gas }, ov)
      if (out.kind === 'invalid' && !out.intrinsic) throw new EthServerError(out.error)
      return { failed: out.kind !== 'ok', out }
    }
    if (a.data === '0x' && a.to && (ov?.get(a.to)?.code ?? (await reader.code(root, a.to))) === '0x') {
      if (!(await run(TX_GAS)).failed) return toQuantity(TX_GAS)
    }
    const top = await run(hi)
    if (top.failed || top.out.kind !== 'ok') {
      const o = top.out
      if (o.kind === 'revert') {
        if (o.returnData !== '0x') throw revertError(o.returnData)
        throw new EthServerError('execution reverted')
      }
      if (o.kind === 'vmError' && o.error !== 'out of gas') throw new EthServerError(o.error)
      throw new EthServerError(`gas required exceeds allowance (${hi})`)
    }
    let lo = top.out.gasUsed - 1n
    const optimistic = ((top.out.gasUsed + top.out.refund + CALL_STIPEND) * 64n) / 63n
    if (optimistic < hi) {
      if ((await run(optimistic)).failed) lo = optimistic
      else hi = optimistic
    }
    while (lo + 1n < hi) {
      if (Number(hi - lo) / Number(hi) < ESTIMATE_ERROR_RATIO) break
      let mid = (hi + lo) / 2n
      if (mid > lo * 2n) mid = lo * 2n
      if ((await run(mid)).failed) lo = mid
      else hi = mid
    }
    return toQuantity(hi)
  }
}
