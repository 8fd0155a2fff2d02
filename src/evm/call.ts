import { createBlock } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { createTx } from '@ethereumjs/tx'
import {
  Account,
  createAddressFromString,
  bytesToHex as ejsBytesToHex,
  setLengthLeft,
  unpadBytes,
} from '@ethereumjs/util'
import { createVM, runTx } from '@ethereumjs/vm'
import type { Hex } from '../engine/types.js'
import { bytesToHex, hexToBytes } from '../util/hex.js'
import type { StateDb } from './stateDb.js'

const addr = (a: Hex) => createAddressFromString(a)

/** Block hashes by number for BLOCKHASH (the call block's ancestors). */
type BlockHashes = (n: bigint) => Hex | undefined

/** The block a call runs in: its state root and the header fields the EVM reads. */
export type CallEnv = {
  stateRoot: Hex
  number: bigint
  timestamp: bigint
  coinbase: Hex
  gasLimit: bigint
  baseFee: bigint
  prevRandao: Hex
}

/** eth_call / eth_estimateGas arguments, defaults applied (geth's TransactionArgs.CallDefaults). */
export type CallMsg = {
  from: Hex
  to: Hex | null
  gas: bigint
  /** 0 with a zero tip: geth's NoBaseFee call (no base fee check, BASEFEE reads 0, no gas bought). */
  feeCap: bigint
  tip: bigint
  value: bigint
  data: Hex
  accessList: { address: Hex; storageKeys: Hex[] }[]
}

/** geth's OverrideAccount (internal/ethapi/override): fields set before the call; `state` replaces all storage, `stateDiff` sets slots. */
export type AccountOverride = {
  nonce?: bigint
  code?: Hex
  balance?: bigint
  state?: Readonly<Record<Hex, Hex>>
  stateDiff?: Readonly<Record<Hex, Hex>>
}

/** eth_call / eth_estimateGas's third parameter, by lower-case address (checked by the caller: never both state and stateDiff). */
export type StateOverride = ReadonlyMap<Hex, AccountOverride>

/**
 * What a call did. `invalid`: it could not run at all (geth's pre-check errors, its words);
 * `vmError`: it ran and failed without revert data ("out of gas", "invalid opcode: …");
 * `revert`: REVERT with data (possibly empty).
 */
export type CallOutcome =
  | { kind: 'ok'; returnData: Hex; gasUsed: bigint; refund: bigint }
  | { kind: 'revert'; returnData: Hex; gasUsed: bigint; refund: bigint }
  | { kind: 'vmError'; error: string; gasUsed: bigint; refund: bigint }
  | { kind: 'invalid'; error: string; intrinsic: boolean }

/** ethereumjs' halt reasons in geth's words (core/vm/errors.go). */
const VM_ERRORS: Record<string, string> = {
  'out of gas': 'out of gas',
  'code store out of gas': 'contract creation code storage out of gas',
  'code size to deposit exceeds maximum code size': 'max code size exceeded',
  'stack underflow': 'stack underflow',
  'stack overflow': 'stack limit reached',
  'invalid JUMP': 'invalid jump destination',
  'invalid opcode': 'invalid opcode',
  'static state change': 'write protection',
  'create collision': 'contract address collision',
  'insufficient balance': 'insufficient balance for transfer',
  'invalid bytecode deployed': 'invalid code: must not begin with 0xef',
  'value out of range': 'return data out of bounds',
}

/**
 * Read-only execution on any kept state (eth_call, eth_estimateGas, the state reads): each call
 * gets its own state manager over the shared trie nodes, checkpointed and reverted, so nothing it
 * writes reaches a block's state and calls need no serialization with block execution.
 */
export class StateReader {
  readonly #common: Common
  readonly #txCommon: Common
  readonly #state: StateDb

  constructor(common: Common, txCommon: Common, state: StateDb) {
    this.#common = common
    this.#txCommon = txCommon
    this.#state = state
  }

  has(root: Hex): boolean {
    return this.#state.has(root)
  }

  async account(root: Hex, address: Hex): Promise<{ nonce: bigint; balance: bigint; codeHash: Hex }> {
    const a = (await this.#state.stateManager(hexToBytes(root), false).getAccount(addr(address))) ?? new Account()
    return { nonce: a.nonce, balance: a.balance, codeHash: bytesToHex(a.codeHash) }
  }

  async code(root: Hex, address: Hex): Promise<Hex> {
    return bytesToHex(await this.#state.stateManager(hexToBytes(root), false).getCode(addr(address)))
  }

  /** A storage slot as 32 bytes (zero when unset). */
  async storage(root: Hex, address: Hex, slot: Hex): Promise<Hex> {
    const sm = this.#state.stateManager(hexToBytes(root), false)
    const a = addr(address)
    if (!(await sm.getAccount(a))) return `0x${'00'.repeat(32)}`
    const v = await sm.getStorage(a, hexToBytes(slot))
    return bytesToHex(setLengthLeft(v, 32))
  }

  /**
   * One message on `env`'s state as geth's ApplyMessage for eth_call: nonce and EOA checks
   * skipped; gas bought (and the balance checked) only when a fee cap is given; geth's pre-check
   * words ("insufficient funds for gas * price + value: …", "intrinsic gas too low: …").
   */
  async call(
    env: CallEnv,
    msg: CallMsg,
    hashes: BlockHashes = () => undefined,
    overrides?: StateOverride,
  ): Promise<CallOutcome> {
    const sm = this.#state.stateManager(hexToBytes(env.stateRoot))
    // Everything below, the overrides included, is reverted at the end: no block's state changes.
    await sm.checkpoint()
    try {
      if (overrides) await applyOverrides(sm, overrides)
      return await this.#call(sm, env, msg, hashes)
    } finally {
      await sm.revert()
    }
  }

  async #call(sm: MerkleStateManager, env: CallEnv, msg: CallMsg, hashes: BlockHashes): Promise<CallOutcome> {
    const sender = addr(msg.from)
    const acct = (await sm.getAccount(sender)) ?? new Account()
    const paying = msg.feeCap > 0n || msg.tip > 0n
    if (paying && msg.feeCap < env.baseFee)
      return invalid(
        `max fee per gas less than block base fee: address ${msg.from}, maxFeePerGas: ${msg.feeCap}, baseFee: ${env.baseFee}`,
      )
    const want = msg.gas * msg.feeCap + msg.value
    if (acct.balance < want)
      return invalid(
        `insufficient funds for gas * price + value: address ${msg.from} have ${acct.balance} want ${want}`,
      )
    const tx = createTx(
      {
        type: 2,
        chainId: this.#common.chainId(),
        nonce: acct.nonce,
        gasLimit: msg.gas,
        maxFeePerGas: msg.feeCap,
        maxPriorityFeePerGas: msg.tip,
        ...(msg.to ? { to: msg.to } : {}),
        value: msg.value,
        data: hexToBytes(msg.data),
        accessList: msg.accessList,
      },
      { common: this.#txCommon, freeze: false },
    )
    tx.getSenderAddress = () => sender
    const intrinsic = tx.getIntrinsicGas()
    if (msg.gas < intrinsic)
      return { kind: 'invalid', error: `intrinsic gas too low: have ${msg.gas}, want ${intrinsic}`, intrinsic: true }
    const header = {
      number: env.number,
      timestamp: env.timestamp,
      coinbase: env.coinbase,
      gasLimit: msg.gas > env.gasLimit ? msg.gas : env.gasLimit,
      baseFeePerGas: paying ? env.baseFee : 0n,
      mixHash: env.prevRandao,
      difficulty: 0n,
    }
    const block = createBlock({ header }, { common: this.#common, skipConsensusFormatValidation: true })
    const vm = await createVM({ common: this.#common, stateManager: sm, blockchain: blockchainOf(hashes) })
    try {
      const r = await runTx(vm, {
        tx,
        block,
        skipNonce: true,
        skipHardForkValidation: true,
        skipBlockGasLimitValidation: true,
      })
      const gasUsed = r.totalGasSpent
      const refund = r.gasRefund ?? 0n
      const err = r.execResult.exceptionError
      const out = ejsBytesToHex(r.execResult.returnValue) as Hex
      if (!err) return { kind: 'ok', returnData: out, gasUsed, refund }
      if (err.error === 'revert') return { kind: 'revert', returnData: out, gasUsed, refund }
      return { kind: 'vmError', error: VM_ERRORS[err.error] ?? err.error, gasUsed, refund }
    } catch (err) {
      const m = (err as Error).message
      if (/floor/i.test(m)) return invalid('insufficient gas for floor data gas cost')
      if (/initcode/i.test(m)) return invalid('max initcode size exceeded')
      if (/EIP-3607/.test(m)) return invalid(`sender not an eoa: address ${msg.from}`)
      return invalid('transaction not executable')
    }
  }
}

/** geth's StateOverride.Apply in address order: nonce, code, balance, then all storage (`state`) or some slots (`stateDiff`). */
async function applyOverrides(sm: MerkleStateManager, overrides: StateOverride): Promise<void> {
  for (const address of [...overrides.keys()].sort()) {
    const o = overrides.get(address)!
    const a = addr(address)
    if (o.nonce !== undefined || o.balance !== undefined || !(await sm.getAccount(a))) {
      const acct = (await sm.getAccount(a)) ?? new Account()
      if (o.nonce !== undefined) acct.nonce = o.nonce
      if (o.balance !== undefined) acct.balance = o.balance
      await sm.putAccount(a, acct)
    }
    if (o.code !== undefined) await sm.putCode(a, hexToBytes(o.code))
    if (o.state) await sm.clearStorage(a)
    for (const [k, v] of Object.entries(o.state ?? o.stateDiff ?? {}))
      await sm.putStorage(a, hexToBytes(k as Hex), unpadBytes(hexToBytes(v as Hex)))
  }
}

function invalid(error: string): CallOutcome {
  return { kind: 'invalid', error, intrinsic: false }
}

/** BLOCKHASH for a call: the hashes of the call block's ancestors. */
function blockchainOf(hashes: BlockHashes) {
  return {
    getBlock: async (n: number) => {
      const h = hashes(BigInt(n))
      return { hash: () => (h ? hexToBytes(h) : new Uint8Array(32)) }
    },
    putBlock: async () => {},
    shallowCopy() {
      return this
    },
  }
}
