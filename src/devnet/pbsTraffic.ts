import type { Logger } from 'pino'
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import type { Hex } from '../interop/index.js'
import type { RpcClient } from '../rpc/index.js'
import { DEV_KEYS } from './messages.js'
import type { TransferCounts } from './stats.js'

/** Out of every CYCLE transfers, one goes to builder-b only and one to the sequencer's engine only. */
const CYCLE = 20
const EXCLUSIVE_AT = 9
const ENGINE_ONLY_AT = 19
/**
 * Calldata of an engine-only transfer: 16 KiB of non-zero bytes. Isthmus has Prague's calldata
 * floor (EIP-7623: 10 gas per token, 4 tokens per non-zero byte): 21,000 + 655,360 = 676,360 gas
 * used, where a plain transfer uses 21,000.
 */
const HEAVY_DATA = `0x${'ff'.repeat(16 * 1024)}` as Hex
const HEAVY_GAS = 700_000n
const PLAIN_GAS = 30_000n

/**
 * One sender per route (dev accounts 2..6, funded in the default genesis; 0 and 1 send the interop
 * traffic), so that no pool ever sees a nonce gap: public senders, builder-b's exclusive one, the engine-only one.
 */
const PUBLIC = [2, 3, 4].map((i) => privateKeyToAccount(DEV_KEYS[i]!))
const EXCLUSIVE = privateKeyToAccount(DEV_KEYS[5])
const ENGINE_ONLY = privateKeyToAccount(DEV_KEYS[6])

export type TransferDeps = {
  chainId: number
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
 * Transfers on chain 902 from funded dev accounts, nonces tracked here from 0 (a fresh chain), by
 * three routes so that each way a block can be chosen shows up:
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
        await sign(this.#d.chainId, from, nonce, 1 + (n % 5), route === 'engineOnly'),
      ])
      this.#nonces.set(from.address, nonce + 1)
      this.#d.counts[route]++
    } catch (err) {
      this.#d.counts.failed++
      this.#d.logger.warn({ err, route }, 'devnet: transfer not sent')
    }
  }
}

function sign(chainId: number, from: PrivateKeyAccount, nonce: number, tipGwei: number, heavy: boolean): Promise<Hex> {
  return from.signTransaction({
    type: 'eip1559',
    chainId,
    nonce,
    to: '0x000000000000000000000000000000000000dEaD',
    value: 1n,
    data: heavy ? HEAVY_DATA : '0x',
    gas: heavy ? HEAVY_GAS : PLAIN_GAS,
    maxFeePerGas: 50_000_000_000n,
    maxPriorityFeePerGas: BigInt(tipGwei) * 1_000_000_000n,
  })
}
