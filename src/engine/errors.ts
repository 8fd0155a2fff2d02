import { ExecutionCode, ServiceError } from '../errors/index.js'

/**
 * A transaction a mempool refuses (engine-sim's and the reference builder's): -32000 and geth's
 * plain wording ("already known", "nonce too low: …"), as execution engines answer.
 */
export class TxRejectedError extends ServiceError {
  override name = 'TxRejectedError'
  constructor(message: string) {
    super('ENGINE_TX_REJECTED', ExecutionCode.ServerError, message)
  }
}
