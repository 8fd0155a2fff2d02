import type { ExecutionCode, RelayedCode, RpcCode } from './codes.js'

export type ServiceErrorOptions = { cause?: unknown; data?: unknown; details?: string }

/**
 * Base of every error superguard throws across a boundary (RPC, CLI, config).
 * `code` is a stable string, `rpcCode` the JSON-RPC number (ours, an execution engine's, or a peer's relayed), `shortMessage` the
 * text put on the wire (op-supervisor's wording where one exists).
 */
export class ServiceError extends Error {
  override name = 'ServiceError'
  readonly code: string
  readonly rpcCode: RpcCode | ExecutionCode | RelayedCode
  readonly shortMessage: string
  readonly data: unknown
  readonly details: string | undefined

  constructor(
    code: string,
    rpcCode: RpcCode | ExecutionCode | RelayedCode,
    shortMessage: string,
    options: ServiceErrorOptions = {},
  ) {
    super(options.details ? `${shortMessage}: ${options.details}` : shortMessage, { cause: options.cause })
    this.code = code
    this.rpcCode = rpcCode
    this.shortMessage = shortMessage
    this.data = options.data
    this.details = options.details
  }

  /** The first error in the cause chain that satisfies `fn`, like viem's BaseError.walk. */
  walk(fn: (err: unknown) => boolean): unknown {
    let err: unknown = this
    while (err) {
      if (fn(err)) return err
      err = (err as { cause?: unknown }).cause
    }
    return undefined
  }
}
