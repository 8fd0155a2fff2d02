import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  AgreementStrategy,
  type CheckOutcome,
  createStrategy,
  type StrategyName,
  SupervisorEndpoint,
  SupervisorRejectionError,
  type Verdict,
} from '../../src/ingress/index.js'
import type { Hex } from '../../src/interop/index.js'
import {
  CONFLICT,
  type DoubleAnswer,
  deadUrl,
  FAILSAFE,
  FUTURE,
  HTTP_500,
  type SupervisorDouble,
  startSupervisorDouble,
  VALID,
} from '../_helpers/supervisorDouble.js'

// Each strategy over three supervisors, one of them down or lying. The doubles answer what they
// are told; "down" is a closed port or an HTTP 500.
const ENTRIES: Hex[] = [`0x01${'00'.repeat(31)}`, `0x03${'ab'.repeat(31)}`]
const DESCRIPTOR = { chainID: '901', timestamp: '0x10' as Hex, timeout: '0x1c20' as Hex }
const doubles: SupervisorDouble[] = []
const endpoints: SupervisorEndpoint[] = []
let clock = 1_000_000

async function three(
  ...answers: (DoubleAnswer | 'down')[]
): Promise<{ urls: string[]; ds: (SupervisorDouble | undefined)[] }> {
  const ds = await Promise.all(answers.map((a) => (a === 'down' ? undefined : startSupervisorDouble(a))))
  for (const d of ds) if (d) doubles.push(d)
  const urls = await Promise.all(ds.map((d) => (d ? d.url : deadUrl())))
  return { urls, ds }
}

function strategy(name: StrategyName, urls: string[], minResponses?: number) {
  const eps = urls.map((u) => new SupervisorEndpoint(u, { timeoutMs: 2000, cooldownMs: 10_000, now: () => clock }))
  endpoints.push(...eps)
  return createStrategy(name, eps, { minResponses })
}

const code = (v: Verdict) => (v.ok ? 'ok' : `${v.result} ${v.error.rpcCode}`)

test('agreement: two of three agree despite one down; unanimity with one down fails closed', async () => {
  const { urls, ds } = await three(VALID, 'down', VALID)
  assert.is(code(await strategy('agreement', urls, 2).validate(ENTRIES, DESCRIPTOR)), 'ok')
  const v = await strategy('agreement', urls).validate(ENTRIES, DESCRIPTOR)
  assert.is(code(v), 'errored -32000')
  assert.is(!v.ok && v.error.message, 'interop quorum not reached: 2 definitive responses, 3 required')
  assert.equal(ds[0]!.lastParams, [ENTRIES, 'cross-unsafe', DESCRIPTOR])
})

test('agreement: a liar saying valid cannot pass a forged transaction', async () => {
  const { urls, ds } = await three(CONFLICT, VALID, CONFLICT)
  // hold one honest supervisor so the liar's "valid" is surely among the first two answers
  const release = ds[2]!.hold()
  const v = await strategy('agreement', urls, 2).validate(ENTRIES, DESCRIPTOR)
  release()
  assert.is(code(v), 'filtered -320600')
  assert.is(!v.ok && v.error.message, 'conflicting data')
})

test('agreement: a liar saying invalid is outvoted only once the quorum is met without it', async () => {
  const { urls, ds } = await three(VALID, CONFLICT, VALID)
  const release = ds[1]!.hold()
  assert.is(code(await strategy('agreement', urls, 2).validate(ENTRIES, DESCRIPTOR)), 'ok')
  release()
  assert.is(code(await strategy('agreement', urls, 3).validate(ENTRIES, DESCRIPTOR)), 'filtered -320600')
})

test('agreement: a liar saying invalid among the first two answers waits for the third, which outvotes it', async () => {
  // Found by the lying-supervisor chaos scenario: with 2 of 3 the first two answers decided, and a
  // rejection among them won, so one liar refused valid transactions whenever it answered early.
  const answers: ((o: CheckOutcome) => void)[] = []
  const endpoint = (label: string) =>
    ({
      label,
      check: () => new Promise<CheckOutcome>((resolve) => answers.push(resolve)),
    }) as unknown as SupervisorEndpoint
  const agreement = new AgreementStrategy([endpoint('s1'), endpoint('liar'), endpoint('s3')], 2)
  let decided: Verdict | undefined
  const verdict = agreement.validate(ENTRIES, DESCRIPTOR).then((v) => (decided = v))
  const lie = { kind: 'invalid', error: new SupervisorRejectionError(-320600, 'conflicting data') } as const
  answers[0]!({ kind: 'valid' })
  answers[1]!(lie)
  await new Promise(setImmediate)
  assert.is(decided, undefined, 'one valid and one invalid answer is no quorum for either')
  answers[2]!({ kind: 'valid' })
  assert.is(code(await verdict), 'ok')
  // Two rejections decide without the third; a split with every supervisor answered fails closed.
  const two = new AgreementStrategy([endpoint('a'), endpoint('b'), endpoint('c')], 2)
  const rejected = two.validate(ENTRIES, DESCRIPTOR)
  answers[3]!(lie)
  answers[4]!(lie)
  assert.is(code(await rejected), 'filtered -320600')
  const split = new AgreementStrategy([endpoint('a'), endpoint('b')], 2)
  const closed = split.validate(ENTRIES, DESCRIPTOR)
  answers[6]!({ kind: 'valid' })
  answers[7]!(lie)
  assert.is(code(await closed), 'filtered -320600')
})

test('agreement: failsafe from one supervisor rejects; soft answers and 5xx do not count toward the quorum', async () => {
  const { urls, ds } = await three(VALID, FAILSAFE, VALID)
  const r0 = ds[0]!.hold()
  const r2 = ds[2]!.hold()
  const v = await strategy('agreement', urls, 2).validate(ENTRIES, DESCRIPTOR)
  r0()
  r2()
  assert.is(code(v), 'failsafe -320602')
  const soft = await three(VALID, FUTURE, HTTP_500)
  // Short of the quorum because one supervisor is behind: its retryable answer, not "no verdict".
  assert.is(code(await strategy('agreement', soft.urls, 2).validate(ENTRIES, DESCRIPTOR)), 'errored -321401')
  assert.is(code(await strategy('agreement', soft.urls, 1).validate(ENTRIES, DESCRIPTOR)), 'ok')
  const none = await three(VALID, HTTP_500, 'down')
  const short = await strategy('agreement', none.urls, 2).validate(ENTRIES, DESCRIPTOR)
  assert.is(code(short), 'errored -32000')
  assert.is(!short.ok && short.error.message, 'interop quorum not reached: 1 definitive responses, 2 required')
})

test('first: only the first supervisor is asked, trusted and needed', async () => {
  const down = await three('down', VALID, VALID)
  const v = await strategy('first', down.urls).validate(ENTRIES, DESCRIPTOR)
  assert.is(code(v), 'errored -32000')
  assert.is(down.ds[1]!.calls + down.ds[2]!.calls, 0)
  const lying = await three(VALID, CONFLICT, CONFLICT)
  assert.is(code(await strategy('first', lying.urls).validate(ENTRIES, DESCRIPTOR)), 'ok')
  assert.is(lying.ds[1]!.calls, 0)
})

test('any: one valid answer is enough, even from a liar; none answering fails closed', async () => {
  const { urls } = await three('down', CONFLICT, VALID)
  assert.is(code(await strategy('any', urls).validate(ENTRIES, DESCRIPTOR)), 'ok')
  const honest = await three('down', CONFLICT, CONFLICT)
  assert.is(code(await strategy('any', honest.urls).validate(ENTRIES, DESCRIPTOR)), 'filtered -320600')
  const dead = await three('down', HTTP_500, 'down')
  assert.is(code(await strategy('any', dead.urls).validate(ENTRIES, DESCRIPTOR)), 'errored -32000')
})

test('failover: a failing supervisor is skipped for its cool-down, then tried again', async () => {
  const { urls, ds } = await three(HTTP_500, VALID, VALID)
  const s = strategy('failover', urls)
  for (let i = 0; i < 6; i++) assert.is(code(await s.validate(ENTRIES, DESCRIPTOR)), 'ok')
  assert.is(ds[0]!.calls, 1, 'the failing supervisor is called once, then skipped')
  assert.is(ds[1]!.calls + ds[2]!.calls, 6)
  clock += 10_001
  ds[0]!.answer = VALID
  for (let i = 0; i < 3; i++) assert.is(code(await s.validate(ENTRIES, DESCRIPTOR)), 'ok')
  assert.is(ds[0]!.calls, 2, 'tried again after the cool-down')
})

test('failover: round-robin, so a liar decides its own turns; all down fails closed', async () => {
  const { urls } = await three(CONFLICT, VALID, CONFLICT)
  const s = strategy('failover', urls)
  const verdicts = []
  for (let i = 0; i < 3; i++) verdicts.push(code(await s.validate(ENTRIES, DESCRIPTOR)))
  assert.equal(verdicts, ['filtered -320600', 'ok', 'filtered -320600'])
  const dead = await three('down', HTTP_500, 'down')
  const v = await strategy('failover', dead.urls).validate(ENTRIES, DESCRIPTOR)
  assert.is(code(v), 'errored -32000')
  assert.is(!v.ok && v.error.message, 'no healthy supervisor backends found')
})

test('checks of one event-loop turn go out as one batch, each answered by its own verdict', async () => {
  const { urls, ds } = await three(VALID, 'down', VALID)
  ds[0]!.answer = (params) => ((params[0] as Hex[])[0] === ENTRIES[0] ? VALID : CONFLICT)
  const batched = new SupervisorEndpoint(urls[0]!, { timeoutMs: 2000, cooldownMs: 1 })
  const single = new SupervisorEndpoint(urls[2]!, { timeoutMs: 2000, cooldownMs: 1, maxBatch: 1 })
  const down = new SupervisorEndpoint(urls[1]!, { timeoutMs: 2000, cooldownMs: 1 })
  endpoints.push(batched, single, down)
  const other: Hex[] = [`0x01${'00'.repeat(30)}01`, ENTRIES[1]!]
  const outcomes = await Promise.all(
    Array.from({ length: 20 }, (_, i) => batched.check(i % 2 ? other : ENTRIES, DESCRIPTOR)),
  )
  assert.equal(
    outcomes.map((o) => o.kind),
    Array.from({ length: 20 }, (_, i) => (i % 2 ? 'invalid' : 'valid')),
  )
  assert.equal([ds[0]!.calls, ds[0]!.requests], [20, 1])
  await Promise.all(Array.from({ length: 5 }, () => single.check(ENTRIES, DESCRIPTOR)))
  assert.equal([ds[2]!.calls, ds[2]!.requests], [5, 5])
  // big access lists are split so that no batch nears a supervisor's 128 KiB body limit
  const big: Hex[] = Array.from({ length: 300 }, (_, i) => (i % 2 ? ENTRIES[1]! : ENTRIES[0]!))
  const before = ds[0]!.requests
  await Promise.all(Array.from({ length: 10 }, () => batched.check(big, DESCRIPTOR)))
  assert.ok(ds[0]!.requests - before >= 4, `${ds[0]!.requests - before} requests for 10 checks of ~21 KB`)
  const failed = await Promise.all(Array.from({ length: 3 }, () => down.check(ENTRIES, DESCRIPTOR)))
  assert.equal(
    failed.map((o) => o.kind),
    ['unavailable', 'unavailable', 'unavailable'],
  )
})

test.after(async () => {
  for (const e of endpoints) e.close()
  await Promise.all(doubles.map((d) => d.close()))
})
test.run()
