import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from '../../src/errors/index.js'

type Row = [string, E.ServiceError, number, string, string]

const cause = new Error('root cause')
const rows: Row[] = [
  ['ParseError', new E.ParseError('Unexpected token'), -32700, 'RPC_PARSE_ERROR', 'parse error: Unexpected token'],
  ['InvalidRequestError', new E.InvalidRequestError(), -32600, 'RPC_INVALID_REQUEST', 'invalid request'],
  [
    'MethodNotFoundError',
    new E.MethodNotFoundError('foo_bar'),
    -32601,
    'RPC_METHOD_NOT_FOUND',
    'the method foo_bar does not exist/is not available',
  ],
  [
    'InvalidParamsError',
    new E.InvalidParamsError('failed to read data: expected entry'),
    -32602,
    'RPC_INVALID_PARAMS',
    'failed to read data: expected entry',
  ],
  ['InternalError', new E.InternalError({ cause }), -32603, 'RPC_INTERNAL', 'internal error'],
  [
    'UnauthorizedError',
    new E.UnauthorizedError('missing bearer token'),
    -32000,
    'RPC_UNAUTHORIZED',
    'unauthorized: missing bearer token',
  ],
  [
    'RequestBodyTooLargeError',
    new E.RequestBodyTooLargeError(),
    -32021,
    'RPC_BODY_TOO_LARGE',
    'request body too large',
  ],
  [
    'ResponseTooLargeError',
    new E.ResponseTooLargeError('over 1048576 bytes'),
    -32020,
    'RPC_RESPONSE_TOO_LARGE',
    'response too large: over 1048576 bytes',
  ],
  [
    'AccessListOutOfBoundsError',
    new E.AccessListOutOfBoundsError('1001 > 1000'),
    -32022,
    'INGRESS_ACCESS_LIST_OUT_OF_BOUNDS',
    'access list out of bounds: 1001 > 1000',
  ],
  [
    'OverSenderRateLimitError',
    new E.OverSenderRateLimitError(),
    -32017,
    'INGRESS_SENDER_RATE_LIMIT',
    'sender is over rate limit',
  ],
  [
    'UninitializedError',
    new E.UninitializedError(),
    -320400,
    'SUPERVISOR_UNINITIALIZED',
    'uninitialized chain database',
  ],
  [
    'UnknownChainError',
    new E.UnknownChainError('executing chain 5'),
    -320501,
    'SUPERVISOR_UNKNOWN_CHAIN',
    'unknown chain: executing chain 5',
  ],
  ['ConflictError', new E.ConflictError(), -320600, 'SUPERVISOR_CONFLICT', 'conflicting data'],
  [
    'FailsafeEnabledError',
    new E.FailsafeEnabledError(),
    -320602,
    'SUPERVISOR_FAILSAFE',
    'failsafe is enabled, rejecting all CheckAccessList requests',
  ],
  ['FutureDataError', new E.FutureDataError(), -321401, 'SUPERVISOR_FUTURE_DATA', 'future data'],
  [
    'OutOfScopeError',
    new E.OutOfScopeError('timestamp 5 not yet ingested'),
    -321100,
    'SUPERVISOR_OUT_OF_SCOPE',
    // op-interop-filter's order (the Go error chain): `<what>: out of scope`
    'timestamp 5 not yet ingested: out of scope',
  ],
  ['DataCorruptionError', new E.DataCorruptionError(), -321501, 'SUPERVISOR_DATA_CORRUPTION', 'data corruption'],
]

for (const [name, err, rpcCode, code, message] of rows) {
  test(`${name}: ${rpcCode} "${message}"`, () => {
    assert.instance(err, E.ServiceError)
    assert.instance(err, Error)
    assert.is(err.name, name)
    assert.is(err.rpcCode, rpcCode)
    assert.is(err.code, code)
    assert.is(err.message, message)
  })
}

test('every exported JSON-RPC error class is covered above', () => {
  // StartupRefusal is not a JSON-RPC error (a refusal to start: exit 2), tested in test/cli
  const classes = Object.entries(E)
    .filter(([, v]) => typeof v === 'function' && v.prototype instanceof E.ServiceError)
    .map(([k]) => k)
    .sort()
  assert.equal(classes, rows.map(([n]) => n).sort())
})

test('details go into the message, not into shortMessage', () => {
  const e = new E.ConflictError('checksum mismatch')
  assert.is(e.shortMessage, 'conflicting data')
  assert.is(e.details, 'checksum mismatch')
  assert.is(e.message, 'conflicting data: checksum mismatch')
  assert.is(new E.ConflictError().details, undefined)
})

test('the op-supervisor codes keep their documented values', () => {
  assert.equal(
    { ...E.RpcCode },
    {
      ParseError: -32700,
      InvalidRequest: -32600,
      MethodNotFound: -32601,
      InvalidParams: -32602,
      InternalError: -32603,
      Unauthorized: -32000,
      OverSenderRateLimit: -32017,
      ResponseTooLarge: -32020,
      RequestBodyTooLarge: -32021,
      AccessListOutOfBounds: -32022,
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
    },
  )
})

test('cause, data and walk', () => {
  const inner = new E.ConflictError('inner')
  const outer = new E.InternalError({ cause: inner, data: { x: 1 } })
  assert.is(outer.cause, inner)
  assert.equal(outer.data, { x: 1 })
  assert.is(
    outer.walk((e) => e instanceof E.ConflictError),
    inner,
  )
  assert.is(
    outer.walk((e) => e instanceof E.ParseError),
    undefined,
  )
  assert.is(
    outer.walk(() => true),
    outer,
  )
  const viaPlain = new E.InternalError({ cause: cause })
  assert.is(
    viaPlain.walk((e) => (e as Error).message === 'root cause'),
    cause,
  )
})

test.run()
