import type { ExecutionPayloadV3, Hex, NewPayloadV3Params, NewPayloadV4Params, OpExecutionPayloadV4 } from './types.js'

/** One tuple (not a union of two), so that it can be spread into a call. */
export type NewPayloadRequest = [
  method: 'engine_newPayloadV3' | 'engine_newPayloadV4',
  params: NewPayloadV3Params | NewPayloadV4Params,
]

/**
 * The engine_newPayloadV3/V4 call for a sealed block: `[payload, [], parentBeaconBlockRoot]`, plus
 * the execution requests on V4 (Isthmus+; `[]` when absent). Blob hashes and requests are always
 * empty on OP. Spread it into a call: `rpc.call(...newPayloadRequest(v, env), signal)`.
 */
export function newPayloadRequest(
  version: 3 | 4,
  b: { executionPayload: ExecutionPayloadV3; parentBeaconBlockRoot: Hex; executionRequests?: Hex[] | undefined },
): NewPayloadRequest {
  if (version === 4)
    return [
      'engine_newPayloadV4',
      [b.executionPayload as OpExecutionPayloadV4, [], b.parentBeaconBlockRoot, b.executionRequests ?? []],
    ]
  return ['engine_newPayloadV3', [b.executionPayload, [], b.parentBeaconBlockRoot]]
}
