import { ServiceError, type RpcCode } from '../errors/index.js'

/** A transaction the builder's mempool refuses: -32000 and geth's wording, as engines answer. */
export class TxRejectedError extends ServiceError {
  override name = 'TxRejectedError'
  constructor(message: string) { super('BUILDER_TX_REJECTED', -32000 as RpcCode, message) }
}
