import type { Logger } from 'pino'
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import type { Hex } from '../interop/index.js'
import type { RpcClient } from '../rpc/index.js'
import { PBS_CHAIN_ID } from './pbsStack.js'
import type { TransferCounts } from './stats.js'

/** Out of every CYCLE transfers, one goes to builder-b only and one to the sequencer's engine only. */
const CYCLE = 20
const EXCLUSIVE_AT = 9
const ENGINE_ONLY_AT = 19
/** Calldata of an engine-only transfer: 16 KiB of non-zero bytes, ~283k gas (a plain transfer uses 21k). */
const HEAVY_DATA = `0x${'ff'.repeat(16 * 1024)}` as Hex

const key = (i: number) => `0x${'d'.repeat(62)}${i.toString(16).padStart(2, '0')}` as Hex
/** One sender per route, so that no pool ever sees a nonce gap: public senders, builder-b's exclusive one, the engine-only one. */
const PUBLIC = [1, 2, 3].map((i) => privateKeyToAccount(key(i)))
const EXCLUSIVE = privateKeyToAccount(key(8))
const ENGINE_ONLY = privateKeyToAccount(key(9))

export type TransferDeps = {
  /** The ingress in front of the sequencer's engine, fanning out to both builders. */
  ingress: RpcClient
  /** The sequencer's engine-sim (its public eth_ methods). */
  engine: RpcClient
  /** builder-b's eth_sendRawTransaction. */
  builderB: RpcClient
  counts: TransferCounts
  logger: Logger
}

/**
 * Transfers on the PBS chain (the engine-sim runs no EVM: every transaction succeeds and pays its
 * tip), by three routes so that each way a block can be chosen shows up:
 *  - most go through the ingress, which forwards them to the engine and to both builders; the two
 *    builders then build the same block and the earlier submission wins the tie;
 *  - one in CYCLE goes to builder-b only (exclusive orderflow): its block is worth more and wins;
 *  - one in CYCLE, with heavy calldata, goes to the sequencer's engine only (orderflow the builders
 *    never see): the local block then has far more gas than any builder block, and the sequencer's
 *    --min-gas-ratio guard refuses the builder blocks and seals its own.
 */
export class TransferGenerator {
  readonly #d: TransferDeps
  readonly #nonces = new Map<string, number>()
  #n = 0

  constructor(deps: TransferDeps) {
    this.#d = deps
  }

  /** Signs and sends the next transfer; a failure is counted and logged, never thrown. */
  async next(): Promise<void> {
    const n = this.#n++
    const at = n % CYCLE
    const route = at === EXCLUSIVE_AT ? 'builderOnly' : at === ENGINE_ONLY_AT ? 'engineOnly' : 'viaIngress'
    const from = route === 'builderOnly' ? EXCLUSIVE : route === 'engineOnly' ? ENGINE_ONLY : PUBLIC[n % PUBLIC.length]!
    const to = route === 'builderOnly' ? this.#d.builderB : route === 'engineOnly' ? this.#d.engine : this.#d.ingress
    const nonce = this.#nonces.get(from.address) ?? 0
    try {
      await to.call('eth_sendRawTransaction', [
        await sign(from, nonce, 1 + (n % 5), route === 'engineOnly' ? HEAVY_DATA : '0x'),
      ])
      this.#nonces.set(from.address, nonce + 1)
      this.#d.counts[route]++
    } catch (err) {
      this.#d.counts.failed++
      this.#d.logger.warn({ err, route }, 'devnet: transfer not sent')
    }
  }
}

function sign(from: PrivateKeyAccount, nonce: number, tipGwei: number, data: Hex): Promise<Hex> {
  return from.signTransaction({
    type: 'eip1559',
    chainId: PBS_CHAIN_ID,
    nonce,
    to: '0x000000000000000000000000000000000000dEaD',
    value: 1n,
    data,
    gas: 300_000n,
    maxFeePerGas: 50_000_000_000n,
    maxPriorityFeePerGas: BigInt(tipGwei) * 1_000_000_000n,
  })
}
