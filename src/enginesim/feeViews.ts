import { DEPOSIT_TX_TYPE, decodeTx } from '../engine/decodeTx.js'
import { effectiveTip } from '../engine/execution.js'
import { nextBaseFee } from '../engine/feeParams.js'
import type { Fork } from '../engine/fork.js'
import { InvalidParamsError } from '../errors/index.js'
import { toQuantity } from '../util/hex.js'
import type { Chain, SimBlock } from './chain.js'
import { EthServerError } from './errors.js'

/** op-geth's --gpo.minsuggestedpriorityfee default: 0.001 gwei. */
export const MIN_SUGGESTED_TIP = 1_000_000n
/** geth's fee-history limits: blocks per query (larger asks are cut) and reward percentiles. */
const MAX_HISTORY = 1024n
const MAX_PERCENTILES = 100

/** The effective tips of a block's transactions (deposits tip 0), each with the gas it used. */
function tipsOf(b: SimBlock): { tip: bigint; gasUsed: bigint }[] {
  return b.payload.transactions.map((raw, i) => {
    const tx = decodeTx(raw)
    const tip = tx.type === DEPOSIT_TX_TYPE ? 0n : effectiveTip(tx, b.baseFee)
    return { tip, gasUsed: b.receipts?.[i]?.gasUsed ?? tx.gas }
  })
}

/**
 * op-geth's priority-fee suggestion (eth/gasprice/optimism-gasprice.go): the minimum (0.001 gwei)
 * unless the head block was near capacity (gas used + its largest transaction's gas above the
 * limit), then the larger of that and the head's median effective tip + 10%.
 */
export function suggestTip(head: SimBlock): bigint {
  const txs = tipsOf(head)
  let maxUsed = 0n
  for (const t of txs) if (t.gasUsed > maxUsed) maxUsed = t.gasUsed
  if (txs.length === 0 || head.gasUsed + maxUsed <= head.gasLimit) return MIN_SUGGESTED_TIP
  const sorted = txs.map((t) => t.tip).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
  const median = sorted[Math.floor(sorted.length / 2)]!
  const bumped = median + median / 10n
  return bumped > MIN_SUGGESTED_TIP ? bumped : MIN_SUGGESTED_TIP
}

function parseCount(v: unknown): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  if (typeof v === 'string' && /^(0x[0-9a-fA-F]{1,16}|[0-9]{1,19})$/.test(v)) return BigInt(v)
  throw new InvalidParamsError('blockCount: expected a hex or decimal quantity')
}

function parsePercentiles(v: unknown): number[] {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v) || !v.every((p) => typeof p === 'number'))
    throw new InvalidParamsError('rewardPercentiles: expected an array of numbers')
  const ps = v as number[]
  if (ps.length > MAX_PERCENTILES)
    throw new EthServerError(`invalid reward percentile: over the query limit ${MAX_PERCENTILES}`)
  for (const [i, p] of ps.entries()) {
    if (p < 0 || p > 100) throw new EthServerError(`invalid reward percentile: ${p.toFixed(6)}`)
    if (i > 0 && p <= ps[i - 1]!)
      throw new EthServerError(`invalid reward percentile: #${i - 1}:${ps[i - 1]!.toFixed(6)} >= #${i}:${p.toFixed(6)}`)
  }
  return ps
}

/** geth's per-block rewards: tips sorted ascending, weighted by gas used, one per percentile. */
function rewardsOf(b: SimBlock, percentiles: number[]): bigint[] {
  const txs = tipsOf(b).sort((x, y) => (x.tip < y.tip ? -1 : x.tip > y.tip ? 1 : 0))
  if (txs.length === 0) return percentiles.map(() => 0n)
  let i = 0
  let sum = txs[0]!.gasUsed
  return percentiles.map((p) => {
    const threshold = BigInt(Math.floor((Number(b.gasUsed) * p) / 100))
    while (sum < threshold && i < txs.length - 1) sum += txs[++i]!.gasUsed
    return txs[i]!.tip
  })
}

/**
 * eth_feeHistory as geth answers it: `blockCount` blocks ending at `newest` (cut to 1,024 and to
 * the blocks that exist), base fees including the next block's, gas used ratios, rewards per
 * percentile; blob fields as an OP chain has them (no blobs: blob base fee 1, ratio 0).
 */
export function feeHistory(
  chain: Chain,
  fork: Fork,
  newest: SimBlock,
  countParam: unknown,
  percentilesParam: unknown,
): Record<string, unknown> {
  let count = parseCount(countParam)
  const percentiles = parsePercentiles(percentilesParam)
  if (count === 0n) return { oldestBlock: '0x0', gasUsedRatio: null }
  if (count > MAX_HISTORY) count = MAX_HISTORY
  if (count > newest.number + 1n) count = newest.number + 1n
  const oldest = newest.number - count + 1n
  const baseFees: string[] = []
  const ratios: number[] = []
  const rewards: string[][] = []
  for (let n = oldest; n <= newest.number; n++) {
    const b = n === newest.number ? newest : chain.byNumber(n)
    if (!b) throw new EthServerError('header not found')
    baseFees.push(toQuantity(b.baseFee))
    ratios.push(b.gasLimit === 0n ? 0 : Number(b.gasUsed) / Number(b.gasLimit))
    if (percentiles.length > 0) rewards.push(rewardsOf(b, percentiles).map(toQuantity))
  }
  baseFees.push(toQuantity(nextBaseFee(fork, { ...newest, extraData: newest.payload.extraData })))
  return {
    oldestBlock: toQuantity(oldest),
    ...(percentiles.length > 0 ? { reward: rewards } : {}),
    baseFeePerGas: baseFees,
    gasUsedRatio: ratios,
    baseFeePerBlobGas: baseFees.map(() => '0x1'),
    blobGasUsedRatio: ratios.map(() => 0),
  }
}
