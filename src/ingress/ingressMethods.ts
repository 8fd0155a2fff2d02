import type { Logger } from 'pino'
import { InvalidParamsError } from '../errors/index.js'
import type { Hex } from '../interop/index.js'
import type { MethodTable, RpcMethod } from '../rpc/index.js'
import type { AcceptedStore } from '../store/index.js'
import type { ActivitySummary } from './activitySummary.js'
import { decodeRawTransaction, type IngressTx } from './decodeRawTransaction.js'
import type { Forwarder } from './forwarder.js'
import type { InteropValidator } from './interopValidator.js'
import type { IngressMetrics } from './metrics.js'

/**
 * Methods that carry one raw transaction as params[0]. proxyd filters the first two and
 * eth_sendBundle (tx_filter.go submissionMethods); eth_sendRawTransactionSync (flashblocks RPCs)
 * is covered too, so an interop transaction cannot reach the engine unchecked through it.
 */
export const SUBMISSION_METHODS = [
  'eth_sendRawTransaction',
  'eth_sendRawTransactionConditional',
  'eth_sendRawTransactionSync',
] as const

/** Most transactions one eth_sendBundle may carry (each is decoded and, if interop, checked). */
export const MAX_BUNDLE_TXS = 100

export type IngressMethodsDeps = {
  chainId: bigint
  validator: InteropValidator
  forwarder: Forwarder
  acceptedSet: AcceptedStore
  allowMethods: readonly string[]
  summary: ActivitySummary
  log: Logger
  metrics?: IngressMetrics | undefined
  now?: () => number
}

/**
 * The ingress's JSON-RPC methods: transaction submission (decode, interop gate, forward),
 * eth_chainId answered locally, the allow-list proxied to the upstream. Anything else is not
 * in the table, so the server answers -32601.
 */
export function createIngressMethods(d: IngressMethodsDeps): MethodTable {
  const now = d.now ?? Date.now
  /** Decodes one raw transaction and, if it executes messages, checks it: the verdict or a throw. */
  const admit = async (raw: unknown): Promise<{ tx: IngressTx; entries: Hex[] | undefined }> => {
    let tx: IngressTx
    try {
      tx = decodeRawTransaction(raw)
      if (tx.chainId !== undefined && tx.chainId !== d.chainId)
        throw new InvalidParamsError(`invalid chain id for signer: have ${tx.chainId} want ${d.chainId}`)
    } catch (err) {
      if (err instanceof InvalidParamsError) {
        d.summary.rejected(err.rpcCode)
        d.log.debug({ err: err.message }, 'transaction rejected')
      }
      throw err
    }
    if (tx.inboxEntries.length === 0) return { tx, entries: undefined }
    const checked = await d.validator.validate(raw as Hex, tx)
    if (!checked.ok) {
      d.summary.rejected(checked.error.rpcCode)
      throw checked.error
    }
    return { tx, entries: checked.entries }
  }

  /**
   * `eth_sendBundle({txs, blockNumber, …})`: every transaction of the bundle is decoded and
   * checked as a single submission would be (proxyd filters eth_sendBundle the same way); the
   * first refusal refuses the bundle, which is forwarded unchanged only when all pass.
   */
  const sendBundle: RpcMethod = async (params) => {
    const bundle = params[0] as { txs?: unknown } | undefined
    const txs = bundle !== null && typeof bundle === 'object' ? bundle.txs : undefined
    if (!Array.isArray(txs) || txs.length === 0)
      throw new InvalidParamsError('eth_sendBundle expects {txs: [raw transactions], …}')
    if (txs.length > MAX_BUNDLE_TXS)
      throw new InvalidParamsError(`eth_sendBundle carries ${txs.length} transactions, at most ${MAX_BUNDLE_TXS}`)
    const admitted = []
    for (const raw of txs) admitted.push({ raw: raw as Hex, ...(await admit(raw)) })
    const result = await d.forwarder.submit('eth_sendBundle', params)
    for (const a of admitted) await record(a.raw, a.tx, a.entries)
    return result
  }

  /**
   * Counts a forwarded transaction; an interop one joins the accepted set. Awaited (over Redis one
   * bounded command; it never throws), so a sweep on another replica sees the transaction once its
   * sender has the answer.
   */
  const record = async (raw: Hex, tx: IngressTx, entries: Hex[] | undefined): Promise<void> => {
    if (entries === undefined) {
      d.metrics?.plainTransactions.inc()
      d.summary.plain()
      return
    }
    await d.acceptedSet.add({ hash: tx.hash, raw, inboxEntries: entries, firstSeen: now() })
    d.summary.accepted()
  }

  const submit =
    (method: string): RpcMethod =>
    async (params) => {
      const { tx, entries } = await admit(params[0])
      const result = await d.forwarder.submit(method, params)
      await record(params[0] as Hex, tx, entries)
      return result
    }

  const methods = new Map<string, RpcMethod>()
  for (const m of d.allowMethods) methods.set(m, (params) => d.forwarder.call(m, params))
  const chainIdHex = `0x${d.chainId.toString(16)}`
  methods.set('eth_chainId', () => chainIdHex)
  for (const m of SUBMISSION_METHODS) methods.set(m, submit(m))
  methods.set('eth_sendBundle', sendBundle)
  return methods
}
