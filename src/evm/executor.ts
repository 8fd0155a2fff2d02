import { type Block, createBlock } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { createTx, createTxFromRLP, paramsTx, type TypedTransaction } from '@ethereumjs/tx'
import {
  Account,
  type Address,
  bigIntToUnpaddedBytes,
  createAccount,
  createAddressFromString,
  bytesToHex as ejsBytesToHex,
  setLengthLeft,
} from '@ethereumjs/util'
import { createVM, runTx, type VM } from '@ethereumjs/vm'
import { DEPOSIT_TX_TYPE, type DecodedTx } from '../engine/decodeTx.js'
import { TxApplyError } from '../engine/execution.js'
import type { Fork } from '../engine/fork.js'
import { EMPTY_TRIE_ROOT, orderedTrieRoot } from '../engine/trie.js'
import type { Hex } from '../engine/types.js'
import { BoundedMap } from '../util/boundedMap.js'
import { bytesToHex, hexToBytes } from '../util/hex.js'
import { StateReader } from './call.js'
import { evmCommon } from './common.js'
import type { AllocAccount } from './genesis.js'
import { type EvmLog, type EvmReceipt, encodeReceipt } from './receipt.js'
import { StateDb } from './stateDb.js'

/** OP fee vaults (specs/protocol/predeploys.md): base fees are paid to the BaseFeeVault, not burnt. */
export const BASE_FEE_VAULT: Hex = '0x4200000000000000000000000000000000000019'
export const SEQUENCER_FEE_VAULT: Hex = '0x4200000000000000000000000000000000000011'
/** L2ToL1MessagePasser: from Isthmus its storage root is the header's withdrawalsRoot. */
export const L2_TO_L1_MESSAGE_PASSER: Hex = '0x4200000000000000000000000000000000000016'

/** The environment of the block being executed (its header minus what execution produces). */
export type BlockEnv = {
  number: bigint
  timestamp: bigint
  coinbase: Hex
  gasLimit: bigint
  baseFee: bigint
  prevRandao: Hex
  parentHash: Hex
  parentBeaconBlockRoot: Hex
  parentStateRoot: Hex
}

/** A transaction to execute with its sender (recovered already; a deposit's own `from`). */
export type ExecTx = { tx: DecodedTx; from: Hex }

export type BlockExecution = {
  stateRoot: Hex
  receiptsRoot: Hex
  logsBloom: Hex
  gasUsed: bigint
  /** Σ gasUsed × effective tip over the non-deposits: what the fee recipient earns. */
  blockValue: bigint
  /** Isthmus: the L2ToL1MessagePasser's storage root. */
  withdrawalsRoot: Hex
  /** The transactions the block holds, in order, and their receipts. */
  txs: ExecTx[]
  receipts: EvmReceipt[]
  /** build mode: the candidates left out, with geth's reason. */
  skipped: { tx: DecodedTx; reason: string }[]
}

/**
 * `validate`: every transaction must apply (the first that cannot throws TxApplyError, geth's
 * "could not apply tx N [hash]: reason"). `build`: the first `forced` must apply; later ones that
 * cannot are left out, as geth's miner does.
 */
export type ExecMode = { mode: 'validate' } | { mode: 'build'; forced: number }

/** ethereumjs transaction objects kept (~2 KB each: 20k ≈ 40 MB, two full 30M-gas blocks of transfers). */
const PARSED_TXS = 20_000
const EMPTY_BLOOM_HEX: Hex = `0x${'00'.repeat(256)}`
const DELEGATION_PREFIX = [0xef, 0x01, 0x00]

/** Bytes of a block hash by number, for BLOCKHASH (the last 256 ancestors of the block executed). */
export type BlockHashes = (n: bigint) => Hex | undefined

/**
 * Executes OP blocks with @ethereumjs/vm over a StateDb. Signed transactions run through
 * `vm.runTx` after geth's validity checks (done here first, so a refusal carries geth's wording);
 * deposits (0x7e, which ethereumjs does not know) run as a zero-priced EIP-1559 transaction from
 * their `from` after the mint is credited, under op-geth's deposit rules (see #deposit). One block
 * at a time: callers serialize (engine-sim's EngineSim.serial, the builder's build loop).
 */
export class BlockExecutor {
  readonly common: Common
  /** The Common every transaction object shares (see sharedTxCommon). */
  readonly #txCommon: Common
  readonly state: StateDb
  readonly #vm: VM
  readonly #sm: MerkleStateManager
  readonly #lookup: { hashes: BlockHashes }
  /**
   * ethereumjs transaction objects by hash: a builder's engine rebuilds every ~100 ms over mostly
   * the same transactions, and the decode is ~0.1 ms each (a fifth of a transfer's execution).
   */
  readonly #parsed = new BoundedMap<string, TypedTransaction>(PARSED_TXS)

  private constructor(common: Common, state: StateDb, vm: VM, sm: MerkleStateManager, lookup: { hashes: BlockHashes }) {
    this.#lookup = lookup
    this.common = common
    this.#txCommon = sharedTxCommon(common)
    this.state = state
    this.#vm = vm
    this.#sm = sm
  }

  static async create(chainId: number, fork: Fork, state?: StateDb): Promise<BlockExecutor> {
    const common = evmCommon(chainId, fork)
    const db = state ?? new StateDb(common)
    const sm = db.stateManager()
    const lookup: { hashes: BlockHashes } = { hashes: () => undefined }
    const blockchain = {
      getBlock: async (n: number) => {
        const h = lookup.hashes(BigInt(n))
        return { hash: () => (h ? hexToBytes(h) : new Uint8Array(32)) }
      },
      putBlock: async () => {},
      shallowCopy() {
        return this
      },
    }
    const vm = await createVM({ common, stateManager: sm, blockchain })
    return new BlockExecutor(common, db, vm, sm, lookup)
  }

  /** Read-only execution and state reads over this executor's kept states (eth_call, eth_getBalance, …). */
  reader(): StateReader {
    return new StateReader(this.common, this.#txCommon, this.state)
  }

  /** Writes a genesis alloc into an empty state; returns its state root. */
  async applyAlloc(alloc: ReadonlyMap<Hex, AllocAccount>): Promise<Hex> {
    const sm = this.#sm
    await sm.setStateRoot(hexToBytes(EMPTY_TRIE_ROOT))
    for (const [address, a] of alloc) {
      const at = addr(address)
      await sm.putAccount(at, createAccount({ nonce: a.nonce, balance: a.balance }))
      if (a.code !== '0x') await sm.putCode(at, hexToBytes(a.code))
      for (const [k, v] of a.storage) {
        const value = hexToBytes(v)
        if (value.some((b) => b !== 0)) await sm.putStorage(at, hexToBytes(k), value)
      }
    }
    return bytesToHex(await sm.getStateRoot())
  }

  /**
   * Runs `txs` on the state at `env.parentStateRoot`; the state after it stays in the StateDb.
   * With `resume` (an execution of the same `env` and mode, whose state is still kept): continues
   * it, executing only `txs` (the inputs after those `resume` consumed) on its post-state, with its
   * gas, value, bloom, receipts and skips carried over. The result equals one execution of all the
   * inputs in one go: each transaction sees the state the ones before it left either way, and the
   * roots depend only on the final state and receipts. A builder's engine resumes its rebuilds
   * (engineApi.ts), so a slot's transactions run once each instead of once per rebuild.
   */
  async execute(
    env: BlockEnv,
    txs: Iterable<ExecTx>,
    mode: ExecMode,
    hashes?: BlockHashes,
    resume?: BlockExecution,
  ): Promise<BlockExecution> {
    this.#lookup.hashes = hashes ?? (() => undefined)
    const sm = this.#sm
    if (!this.state.has(env.parentStateRoot))
      throw new Error(`the state of block ${env.number - 1n} is not kept (${env.parentStateRoot})`)
    if (resume && !this.state.has(resume.stateRoot))
      throw new Error(`the state to resume block ${env.number} from is not kept (${resume.stateRoot})`)
    await sm.setStateRoot(hexToBytes(resume ? resume.stateRoot : env.parentStateRoot))
    const header = {
      number: env.number,
      timestamp: env.timestamp,
      coinbase: env.coinbase,
      gasLimit: env.gasLimit,
      baseFeePerGas: env.baseFee,
      mixHash: env.prevRandao,
      parentHash: env.parentHash,
      parentBeaconBlockRoot: env.parentBeaconBlockRoot,
      difficulty: 0n,
    }
    const opts = { common: this.common, skipConsensusFormatValidation: true }
    const block = createBlock({ header }, opts)
    // Deposits pay nothing: ethereumjs needs a zero base fee to run a zero-priced transaction.
    const depositBlock = createBlock({ header: { ...header, baseFeePerGas: 0n } }, opts)
    // A resumed execution's state has the system calls' writes already.
    if (!resume) await this.#systemCalls(env)

    const included: ExecTx[] = resume ? [...resume.txs] : []
    const receipts: EvmReceipt[] = resume ? [...resume.receipts] : []
    const skipped: { tx: DecodedTx; reason: string }[] = resume ? [...resume.skipped] : []
    const bloom = resume ? hexToBytes(resume.logsBloom) : new Uint8Array(256)
    let gasUsed = resume?.gasUsed ?? 0n
    let value = resume?.blockValue ?? 0n
    let i = included.length + skipped.length
    for (const t of txs) {
      const index = i++
      const gasLeft = env.gasLimit - gasUsed
      const out =
        t.tx.type === DEPOSIT_TX_TYPE
          ? await this.#deposit(t, gasLeft, depositBlock)
          : await this.#signed(t, gasLeft, block, env.baseFee)
      if (typeof out === 'string') {
        if (mode.mode === 'validate' || index < mode.forced) throw new TxApplyError(index, t.tx.hash, out)
        skipped.push({ tx: t.tx, reason: out })
        continue
      }
      gasUsed += out.receipt.gasUsed
      out.receipt.cumulativeGasUsed = gasUsed
      value += out.value
      const b = hexToBytes(out.receipt.logsBloom)
      for (let k = 0; k < 256; k++) bloom[k]! |= b[k]!
      included.push(t)
      receipts.push(out.receipt)
    }
    const stateRoot = bytesToHex(await sm.getStateRoot())
    const passer = await sm.getAccount(addr(L2_TO_L1_MESSAGE_PASSER))
    return {
      stateRoot,
      receiptsRoot: orderedTrieRoot(receipts.map(encodeReceipt)),
      logsBloom: bytesToHex(bloom),
      gasUsed,
      blockValue: value,
      withdrawalsRoot: passer ? bytesToHex(passer.storageRoot) : EMPTY_TRIE_ROOT,
      txs: included,
      receipts,
      skipped,
    }
  }

  /** geth's state_transition preCheck + buyGas, in its order and words; then runTx. */
  async #signed(t: ExecTx, gasLeft: bigint, block: Block, baseFee: bigint): Promise<Applied | string> {
    const { tx, from } = t
    if (tx.gas > gasLeft) return 'gas limit reached'
    const sender = addr(from)
    const acct = (await this.#sm.getAccount(sender)) ?? new Account()
    if (tx.nonce < acct.nonce) return `nonce too low: address ${from}, tx: ${tx.nonce} state: ${acct.nonce}`
    if (tx.nonce > acct.nonce) return `nonce too high: address ${from}, tx: ${tx.nonce} state: ${acct.nonce}`
    if (acct.isContract()) {
      const code = await this.#sm.getCode(sender)
      if (!DELEGATION_PREFIX.every((b, k) => code[k] === b))
        return `sender not an eoa: address ${from}, len(code): ${code.length}`
    }
    if (tx.maxFeePerGas < baseFee)
      return `max fee per gas less than block base fee: address ${from}, maxFeePerGas: ${tx.maxFeePerGas}, baseFee: ${baseFee}`
    if (tx.maxPriorityFeePerGas > tx.maxFeePerGas)
      return `max priority fee per gas higher than max fee per gas: address ${from}, maxPriorityFeePerGas: ${tx.maxPriorityFeePerGas}, maxFeePerGas: ${tx.maxFeePerGas}`
    const want = tx.gas * tx.maxFeePerGas + tx.value
    if (acct.balance < want)
      return `insufficient funds for gas * price + value: address ${from} have ${acct.balance} want ${want}`
    let ejs = this.#parsed.get(tx.hash)
    if (!ejs) {
      try {
        ejs = createTxFromRLP(hexToBytes(tx.raw), { common: this.#txCommon, freeze: false })
      } catch {
        return 'transaction not executable'
      }
      // The sender is recovered already (libsecp256k1, cached by hash): ethereumjs must not recover it again.
      ejs.getSenderAddress = () => sender
      this.#parsed.set(tx.hash, ejs)
    }
    const intrinsic = ejs.getIntrinsicGas()
    if (tx.gas < intrinsic) return `intrinsic gas too low: have ${tx.gas}, want ${intrinsic}`
    let r: Awaited<ReturnType<typeof runTx>>
    try {
      r = await runTx(this.#vm, { tx: ejs, block, skipHardForkValidation: true, skipBlockGasLimitValidation: true })
    } catch (err) {
      // What is left: EIP-7623's calldata floor, an oversized initcode: ethereumjs' text names it.
      const m = /floor/i.test((err as Error).message)
        ? 'insufficient gas for floor data gas cost'
        : /initcode/i.test((err as Error).message)
          ? 'max initcode size exceeded'
          : 'transaction not executable'
      return m
    }
    const used = r.totalGasSpent
    // OP: the base fee goes to the BaseFeeVault (ethereumjs burns it), the tip to the fee recipient.
    if (baseFee > 0n && used > 0n) await this.#credit(BASE_FEE_VAULT, baseFee * used)
    const tip =
      tx.maxFeePerGas - baseFee < tx.maxPriorityFeePerGas ? tx.maxFeePerGas - baseFee : tx.maxPriorityFeePerGas
    return {
      receipt: {
        txHash: tx.hash,
        type: tx.type,
        from: from.toLowerCase() as Hex,
        to: tx.to,
        status: r.execResult.exceptionError ? 0 : 1,
        gasUsed: used,
        cumulativeGasUsed: 0n,
        logs: logsOf(r.execResult.logs),
        logsBloom: bytesToHex(r.bloom.bitvector),
        contractAddress: r.createdAddress ? (r.createdAddress.toString() as Hex) : null,
        effectiveGasPrice: baseFee + tip,
      },
      value: r.minerValue,
    }
  }

  /**
   * op-geth's deposit rules (core/state_transition.go, post-Regolith, Canyon receipts): the mint is
   * credited first and kept whatever happens; the call runs at gas price 0 (no purchase, no
   * refund paid, no tip); gas used is the actual gas. A deposit that cannot run (more gas than the
   * block has left makes the block invalid; anything else: value above the balance, gas below
   * intrinsic, isSystemTx after Regolith) is a failed deposit: state reverted but the mint, the
   * nonce still incremented, all its gas used, status 0.
   */
  async #deposit(t: ExecTx, gasLeft: bigint, block: Block): Promise<Applied | string> {
    const { tx, from } = t
    if (tx.gas > gasLeft) return 'gas limit reached'
    const sender = addr(from)
    const mint = typeof tx.parsed.mint === 'bigint' ? tx.parsed.mint : 0n
    if (mint > 0n) await this.#credit(from, mint)
    const nonce = ((await this.#sm.getAccount(sender)) ?? new Account()).nonce
    const receipt: EvmReceipt = {
      txHash: tx.hash,
      type: DEPOSIT_TX_TYPE,
      from: from.toLowerCase() as Hex,
      to: tx.to,
      status: 0,
      gasUsed: tx.gas,
      cumulativeGasUsed: 0n,
      logs: [],
      logsBloom: EMPTY_BLOOM_HEX,
      contractAddress: null,
      effectiveGasPrice: 0n,
      depositNonce: nonce,
      depositReceiptVersion: 1n,
    }
    let r: Awaited<ReturnType<typeof runTx>> | undefined
    if (tx.parsed.isSystemTx !== true) {
      const ejs = createTx(
        {
          type: 2,
          chainId: this.common.chainId(),
          nonce,
          gasLimit: tx.gas,
          maxFeePerGas: 0n,
          maxPriorityFeePerGas: 0n,
          ...(tx.to ? { to: tx.to } : {}),
          value: tx.value,
          data: tx.data,
        },
        { common: this.#txCommon, freeze: false },
      )
      ejs.getSenderAddress = () => sender
      try {
        r = await runTx(this.#vm, { tx: ejs, block, skipHardForkValidation: true, skipBlockGasLimitValidation: true })
      } catch {
        r = undefined
      }
    }
    if (!r) {
      const acct = (await this.#sm.getAccount(sender)) ?? new Account()
      acct.nonce = nonce + 1n
      await this.#sm.putAccount(sender, acct)
      return { receipt, value: 0n }
    }
    receipt.status = r.execResult.exceptionError ? 0 : 1
    receipt.gasUsed = r.totalGasSpent
    receipt.logs = logsOf(r.execResult.logs)
    receipt.logsBloom = bytesToHex(r.bloom.bitvector)
    receipt.contractAddress = r.createdAddress ? (r.createdAddress.toString() as Hex) : null
    return { receipt, value: 0n }
  }

  /**
   * The block's system calls before its transactions, as the contracts would write them (geth runs
   * their code; the effect is these storage writes): EIP-4788 stores the parent beacon block root
   * (Ecotone+), EIP-2935 the parent hash (Isthmus+). Without code at the address (engine-sim's
   * default genesis has neither contract) nothing happens, as in geth.
   */
  async #systemCalls(env: BlockEnv): Promise<void> {
    const sm = this.#sm
    const slot = (n: bigint) => setLengthLeft(bigIntToUnpaddedBytes(n), 32)
    if (this.common.isActivatedEIP(4788)) {
      const a = addr(BEACON_ROOTS)
      if ((await sm.getCode(a)).length > 0) {
        const i = env.timestamp % HISTORY_WINDOW
        await sm.putStorage(a, slot(i), bigIntToUnpaddedBytes(env.timestamp))
        await sm.putStorage(a, slot(i + HISTORY_WINDOW), hexToBytes(env.parentBeaconBlockRoot))
      }
    }
    if (this.common.isActivatedEIP(2935) && env.number > 0n) {
      const a = addr(HISTORY_STORAGE)
      if ((await sm.getCode(a)).length > 0)
        await sm.putStorage(a, slot((env.number - 1n) % HISTORY_WINDOW), hexToBytes(env.parentHash))
    }
  }

  async #credit(address: Hex, amount: bigint): Promise<void> {
    const a = addr(address)
    const acct = (await this.#sm.getAccount(a)) ?? new Account()
    acct.balance += amount
    await this.#sm.putAccount(a, acct)
  }
}

/**
 * ethereumjs gives every transaction object its own copy of the Common and re-merges the
 * transaction parameters into it (a JSON deep copy and a parameter-cache rebuild): ~1 ms per
 * transaction here, 40% of executing a transfer. The rules never change within a chain, so all
 * transaction objects share one Common with the parameters merged once.
 */
function sharedTxCommon(common: Common): Common {
  const shared = common.copy()
  shared.updateParams(paramsTx)
  shared.copy = () => shared
  shared.updateParams = () => shared
  return shared
}

/** EIP-4788 and EIP-2935 system contracts and their ring size. */
const BEACON_ROOTS: Hex = '0x000f3df6d732807ef1319fb7b8bb8522d0beac02'
const HISTORY_STORAGE: Hex = '0x0000f90827f1c53a10cb7a02335b175320002935'
const HISTORY_WINDOW = 8191n

function addr(a: Hex): Address {
  return createAddressFromString(a)
}

type Applied = { receipt: EvmReceipt; value: bigint }

type EjsLog = [Uint8Array, Uint8Array[], Uint8Array]

function logsOf(logs: EjsLog[] | undefined): EvmLog[] {
  return (logs ?? []).map(([address, topics, data]) => ({
    address: ejsBytesToHex(address) as Hex,
    topics: topics.map((t) => ejsBytesToHex(t) as Hex),
    data: ejsBytesToHex(data) as Hex,
  }))
}
