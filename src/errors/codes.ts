/**
 * Every JSON-RPC error code superguard emits. The only place a number appears.
 * Standard codes are EIP-1474; the -32XXYY codes are op-supervisor's
 * (`-32` ++ gRPC category ++ index), kept verbatim so existing callers
 * (op-geth, op-reth, proxyd) classify our answers as they classify theirs.
 */
export const RpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  Unauthorized: -32000,
  // proxyd's own codes
  OverSenderRateLimit: -32017,
  ResponseTooLarge: -32020,
  RequestBodyTooLarge: -32021,
  AccessListOutOfBounds: -32022,
  // op-supervisor data-availability codes
  UninitializedChainDatabase: -320400,
  SkippedData: -320500,
  UnknownChain: -320501,
  ConflictingData: -320600,
  IneffectiveData: -320601,
  FailsafeEnabled: -320602,
  OutOfOrder: -320900,
  AwaitingReplacementBlock: -320901,
  OutOfScope: -321100,
  FutureData: -321401,
  MissedData: -321500,
  DataCorruption: -321501,
} as const

export type RpcCode = (typeof RpcCode)[keyof typeof RpcCode]

/**
 * An execution engine's codes, which engine-sim, the reference builder and the ingress answer with
 * as geth does. Kept apart from RpcCode: ServerError has Unauthorized's number, and a code → name
 * table built from RpcCode (sweep/classify.ts) must keep naming -32000 Unauthorized.
 */
export const ExecutionCode = {
  /** geth's implementation-defined server error: a refused transaction ("already known"), proxyd's JSONRPCErrorInternal. */
  ServerError: -32000,
  /** geth's eth_call / eth_estimateGas revert with data: `execution reverted[: reason]`, data the revert bytes. */
  ExecutionReverted: 3,
  // Engine API (execution-apis src/engine/common.md)
  UnknownPayload: -38001,
  InvalidForkchoiceState: -38002,
  InvalidPayloadAttributes: -38003,
  TooLargeRequest: -38004,
  UnsupportedFork: -38005,
  TooDeepReorg: -38006,
} as const

export type ExecutionCode = (typeof ExecutionCode)[keyof typeof ExecutionCode]

/** op-supervisor codes the ingress maps to an HTTP status (proxyd's table) but never emits itself. */
export const SupervisorCode = {
  IterStop: -321000,
  CannotGetParentOfFirstBlockInDb: -321200,
} as const

/**
 * A peer's code, relayed unchanged (an engine's error handed to op-node, a supervisor's rejection
 * re-issued by the ingress, a remote answer): any number, marked so that it cannot pass for one of ours.
 */
export type RelayedCode = number & { readonly relayed: unique symbol }

/** The one sanctioned cast to a code: a number another server answered with. */
export const relayed = (code: number): RelayedCode => code as RelayedCode
