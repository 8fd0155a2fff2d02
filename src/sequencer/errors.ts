import { relayed } from '../errors/codes.js'
import { InvalidParamsError, RpcCode, ServiceError } from '../errors/index.js'

/** A pbs_submitBlock whose params are not a submission: -32602 with the offending field. */
export class MalformedSubmissionError extends InvalidParamsError {
  override name = 'MalformedSubmissionError'
  readonly field: string
  constructor(field: string) {
    super(`malformed submission: ${field}`, { data: { reason: 'malformed_submission', field } })
    this.field = field
  }
}

/** The engine's own JSON-RPC error, handed to op-node unchanged (code, message, data). */
export class EngineRpcError extends ServiceError {
  override name = 'EngineRpcError'
  constructor(code: number, message: string, data?: unknown) {
    super('SEQUENCER_ENGINE_ERROR', relayed(code), message, { data })
  }
}

/** The engine could not be reached or did not answer in time: -32603 so op-node retries. */
export class EngineUnavailableError extends ServiceError {
  override name = 'EngineUnavailableError'
  constructor(details?: string) {
    super(
      'SEQUENCER_ENGINE_UNAVAILABLE',
      RpcCode.InternalError,
      'execution engine unavailable',
      details === undefined ? {} : { details },
    )
  }
}

/** debug_setExecutionMode with a mode we do not know. */
export class InvalidExecutionModeError extends InvalidParamsError {
  override name = 'InvalidExecutionModeError'
  constructor(given: unknown) {
    super(`invalid execution_mode ${JSON.stringify(given)}: expected enabled, dry_run or disabled`)
  }
}
