import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Sweeper } from '../../src/sweep/sweeper.js'
import type { SweepReport } from '../../src/sweep/sweepReport.js'

/** A round that finishes only when the test releases it, and records overlap. */
function controlledRounds() {
  let running = 0
  let maxRunning = 0
  const releases: (() => void)[] = []
  const started: number[] = []
  const waiters: (() => void)[] = []
  const round = async (n: number, signal: AbortSignal) => {
    running++
    maxRunning = Math.max(maxRunning, running)
    started.push(n)
    for (const w of waiters.splice(0)) w()
    await new Promise<void>((resolve, reject) => {
      releases.push(resolve)
      signal.addEventListener('abort', () => reject(signal.reason), { once: true })
    })
    running--
    return { round: n } as SweepReport
  }
  const nextStart = () => new Promise<void>((r) => waiters.push(r))
  return {
    round,
    releases,
    started,
    nextStart,
    get maxRunning() {
      return maxRunning
    },
  }
}

test('runOnce calls queue behind each other and never overlap', async () => {
  const c = controlledRounds()
  const s = new Sweeper(c.round, { intervalMs: 0, onReport: () => {}, onError: () => {} })
  const first = s.runOnce()
  const second = s.runOnce()
  await new Promise((r) => setImmediate(r))
  assert.equal(c.started, [1], 'the second waits')
  c.releases.shift()!()
  assert.is((await first).round, 1)
  await c.nextStart()
  c.releases.shift()!()
  assert.is((await second).round, 2)
  assert.is(c.maxRunning, 1)
  await s.close()
})

test('the interval loop runs rounds back to back without overlap, and close aborts the running one', async () => {
  const c = controlledRounds()
  const reports: number[] = []
  const errors: unknown[] = []
  const s = new Sweeper(c.round, {
    intervalMs: 0,
    onReport: (r) => reports.push(r.round),
    onError: (e) => errors.push(e),
  })
  s.start()
  for (let i = 0; i < 3; i++) {
    if (c.releases.length === 0) await c.nextStart()
    c.releases.shift()!()
    await c.nextStart()
  }
  assert.equal(reports, [1, 2, 3])
  assert.is(c.maxRunning, 1)
  await s.close()
  assert.equal(errors, [], 'an aborted round at close is not an error')
  await assert.not.throws(() => s.start())
  await s.runOnce().then(
    () => assert.unreachable('closed'),
    (err: Error) => assert.match(err.message, /closed/),
  )
})

test('a failing round is reported through onError and the loop goes on', async () => {
  let n = 0
  const errors: string[] = []
  let wake: (() => void) | undefined
  const s = new Sweeper(
    async (round) => {
      n = round
      wake?.()
      if (round === 1) throw new Error('txpool_content: connection refused')
      return { round } as SweepReport
    },
    { intervalMs: 0, onReport: () => {}, onError: (e) => errors.push((e as Error).message) },
  )
  s.start()
  while (n < 3)
    await new Promise<void>((r) => {
      wake = r
    })
  await s.close()
  assert.equal(errors, ['txpool_content: connection refused'])
})

test.run()
