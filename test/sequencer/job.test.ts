import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { PayloadStatus } from '../../src/engine/types.js'
import { CircuitBreaker } from '../../src/sequencer/circuitBreaker.js'
import { MalformedSubmissionError } from '../../src/sequencer/errors.js'
import { SequencerEvents } from '../../src/sequencer/events.js'
import { JobBook, type ValidationResult } from '../../src/sequencer/job.js'
import type { Candidate, ExecutionMode } from '../../src/sequencer/types.js'
import { job, submission } from './_fixtures.js'

type Pending = { c: Candidate; resolve: (r: ValidationResult) => void }

function setup(o: { mode?: ExecutionMode; maxSubmissionsPerJob?: number; now?: () => number } = {}) {
  const events = new EventsLog()
  const pending: Pending[] = []
  const breakers = new Map<string, CircuitBreaker>()
  const mode = o.mode ?? 'enabled'
  const book = new JobBook({
    events: events.ev,
    validate: (c) => new Promise((resolve) => pending.push({ c, resolve })),
    gate: {
      mode,
      breaker: (b) => {
        if (!breakers.has(b)) breakers.set(b, new CircuitBreaker({ threshold: 2, cooldownMs: 10_000 }))
        return breakers.get(b)!
      },
    },
    maxTxs: 100,
    maxSubmissionsPerJob: o.maxSubmissionsPerJob ?? 10,
    now: o.now ?? (() => 1_000_000),
  })
  return { book, events, pending, breakers }
}

class EventsLog {
  readonly ev = new SequencerEvents()
  readonly validated: { builder: string; valid: boolean; reason?: string; blockHash: string }[] = []
  constructor() {
    this.ev.on('validated', (v) => this.validated.push(v))
  }
}

const tick = () => new Promise<void>((r) => setImmediate(r))
const VALID = { status: 'VALID' as PayloadStatus }
const INVALID = { status: 'INVALID' as PayloadStatus }

test('accept → validate → candidate', async () => {
  const { book, pending } = setup()
  const j = job()
  book.start(j)
  assert.equal(book.submit('a', submission(j)), { status: 'accepted' })
  await tick()
  assert.is(pending.length, 1)
  pending[0]!.resolve(VALID)
  await tick()
  assert.is(book.candidates().length, 1)
  assert.is(book.seal(j.jobId).length, 1)
})

test('state checks: unknown job, sealed, past deadline, disabled, rate limit, duplicate', async () => {
  let now = 1_000_000
  const { book } = setup({ maxSubmissionsPerJob: 2, now: () => now })
  const j = job()
  book.start(j)
  assert.equal(book.submit('a', { ...submission(j), jobId: '0x1234' }), { status: 'rejected', reason: 'unknown_job' })
  const s = submission(j)
  assert.equal(book.submit('a', s), { status: 'accepted' })
  assert.equal(book.submit('a', s), { status: 'rejected', reason: 'duplicate_block' })
  assert.equal(book.submit('a', submission(j, {}, '0x1', ['0x02dd'])), { status: 'rejected', reason: 'rate_limited' })
  now = j.deadline + 1
  assert.equal(book.submit('b', submission(j)), { status: 'rejected', reason: 'past_deadline' })
  book.seal(j.jobId)
  assert.equal(book.submit('b', submission(j)), { status: 'rejected', reason: 'job_sealed' })
  const d = setup({ mode: 'disabled' })
  d.book.start(j)
  assert.equal(d.book.submit('a', submission(j)), { status: 'rejected', reason: 'builders_disabled' })
})

test('malformed → MalformedSubmissionError', () => {
  const { book } = setup()
  book.start(job())
  assert.throws(
    () => book.submit('a', { jobId: '0x01' }),
    (e: unknown) => e instanceof MalformedSubmissionError && e.field === 'executionPayload',
  )
})

test('coalescing: while one validates, only the newest waiting one is validated next', async () => {
  const { book, pending, events } = setup()
  const j = job()
  book.start(j)
  const s1 = submission(j, {}, '0x1', ['0x0201'])
  const s2 = submission(j, {}, '0x2', ['0x0202'])
  const s3 = submission(j, {}, '0x3', ['0x0203'])
  book.submit('a', s1)
  await tick()
  book.submit('a', s2)
  book.submit('a', s3)
  await tick()
  assert.is(pending.length, 1, 'only one in flight per builder')
  assert.equal(
    events.validated.map((v) => v.reason),
    ['superseded'],
  )
  pending[0]!.resolve(VALID)
  await tick()
  assert.is(pending.length, 2)
  assert.is(pending[1]!.c.blockValue, 3n, 's3 validated next, s2 skipped')
  pending[1]!.resolve(VALID)
  await tick()
  assert.equal(
    book.candidates().map((c) => c.blockValue),
    [3n],
  )
})

test('newer replaces older once valid; newer invalid keeps older', async () => {
  const { book, pending } = setup()
  const j = job()
  book.start(j)
  book.submit('a', submission(j, {}, '0x1', ['0x0201']))
  await tick()
  pending[0]!.resolve(VALID)
  await tick()
  book.submit('a', submission(j, {}, '0x2', ['0x0202']))
  await tick()
  assert.equal(
    book.candidates().map((c) => c.blockValue),
    [1n],
    'older stays while newer validates',
  )
  pending[1]!.resolve(INVALID)
  await tick()
  assert.equal(
    book.candidates().map((c) => c.blockValue),
    [1n],
    'invalid newer keeps older',
  )
  book.submit('a', submission(j, {}, '0x3', ['0x0203']))
  await tick()
  pending[2]!.resolve(VALID)
  await tick()
  assert.equal(
    book.candidates().map((c) => c.blockValue),
    [3n],
  )
})

test('validation finishing after the seal does not count', async () => {
  const { book, pending, events } = setup()
  const j = job()
  book.start(j)
  book.submit('a', submission(j))
  await tick()
  assert.equal(book.seal(j.jobId), [])
  pending[0]!.resolve(VALID)
  await tick()
  assert.is(events.validated[0]!.reason, 'validated_too_late')
})

test('a new job supersedes the old one', async () => {
  const { book, pending } = setup()
  const j1 = job()
  book.start(j1)
  book.submit('a', submission(j1))
  await tick()
  const j2 = job()
  book.start(j2)
  assert.equal(book.submit('a', submission(j1, {}, '0x5', ['0x0299'])), { status: 'rejected', reason: 'unknown_job' })
  pending[0]!.resolve(VALID)
  await tick()
  assert.is(book.candidates().length, 0)
})

test('repeated invalid blocks open the circuit; SYNCING does not count', async () => {
  const { book, pending, breakers } = setup()
  const j = job()
  book.start(j)
  book.submit('a', submission(j, {}, '0x1', ['0x0201']))
  await tick()
  pending[0]!.resolve({ status: 'SYNCING' })
  await tick()
  book.submit('a', submission(j, {}, '0x2', ['0x0202']))
  await tick()
  pending[1]!.resolve(INVALID)
  await tick()
  assert.is(breakers.get('a')!.state(1_000_000), 'closed')
  book.submit('a', submission(j, {}, '0x3', ['0x0203']))
  await tick()
  pending[2]!.resolve(INVALID)
  await tick()
  assert.is(breakers.get('a')!.state(1_000_000), 'open')
  assert.equal(book.submit('a', submission(j, {}, '0x4', ['0x0204'])), { status: 'rejected', reason: 'circuit_open' })
  assert.equal(
    book.submit('b', submission(j, {}, '0x4', ['0x0204'])),
    { status: 'accepted' },
    'other builders unaffected',
  )
})

test('validator throwing is a validation error, not a crash', async () => {
  const events = new SequencerEvents()
  const seen: (string | undefined)[] = []
  events.on('validated', (v) => seen.push(v.reason))
  const book = new JobBook({
    events,
    validate: () => Promise.reject(new Error('boom')),
    gate: { mode: 'enabled', breaker: () => new CircuitBreaker({ threshold: 1, cooldownMs: 1 }) },
    maxTxs: 10,
    maxSubmissionsPerJob: 10,
    now: () => 1_000_000,
  })
  const j = job()
  book.start(j)
  book.submit('a', submission(j))
  await tick()
  await tick()
  assert.equal(seen, ['validation_error'])
})

test.run()
