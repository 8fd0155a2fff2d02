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

export const SUBMISSION_METHODS = ['eth_sendRawTransaction', 'eth_sendRawTransactionConditional'] as const

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
  const submit =
    (method: string): RpcMethod =>
    async (params) => {
      const raw = params[0]
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
      if (tx.inboxEntries.length === 0) {
        d.metrics?.plainTransactions.inc()
        d.summary.plain()
        return d.forwarder.submit(method, params)
      }
      const checked = await d.validator.validate(raw as Hex, tx)
      if (!checked.ok) {
        d.summary.rejected(checked.error.rpcCode)
        throw checked.error
      }
      const result = await d.forwarder.submit(method, params)
      // Awaited (over Redis one bounded command; it never throws), so a sweep on another replica
      // sees the transaction once its sender has the answer.
      await d.acceptedSet.add({ hash: tx.hash, raw: raw as Hex, inboxEntries: checked.entries, firstSeen: now() })
      d.summary.accepted()
      return result
    }

  const methods = new Map<string, RpcMethod>()
  for (const m of d.allowMethods) methods.set(m, (params) => d.forwarder.call(m, params))
  const chainIdHex = `0x${d.chainId.toString(16)}`
  methods.set('eth_chainId', () => chainIdHex)
  for (const m of SUBMISSION_METHODS) methods.set(m, submit(m))
  return methods
}
