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
