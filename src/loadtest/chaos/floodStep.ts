import { LoadtestError } from '../errors.js'
import { evaluate, parseExpectations } from '../expect.js'
import type { StepKind } from '../scenario.js'
import { runLoadtest } from '../start.js'
import { checkTarget, processNamed, resolveTarget } from './manifest.js'
import { type Body, duration, keys, object } from './stepBody.js'

/**
 * `{"flood": {"sequencer": "sequencer-A{leader:A}", "rate": 400, "for": "15s", "connections": 8}}`:
 * a builder flooding that sequencer's builder API (`pbs_submitBlock`, signed with the cluster's
 * builder secret, so it counts as that node's builder) at `rate` submissions/s for `for`, while the
 * traffic runs — the builder load test (`superguard loadtest builder`: well-formed blocks for the
 * current job, `mix` malformed ones) pointed at the manifest's `builderApi`, with the node's
 * engine-sim for parent headers and the sequencer's debug listener for its seal timing. Its
 * `expect` reads the load figures (`wrong=0`, `timeouts=0`…); the step's result carries every
 * answer by reason (`rejected:rate_limited`, `-32017` …) and the seal timing.
 */
export const flood: StepKind = {
  checkExpect: parseExpectations,
  validate(body, ctx) {
    const b = object(body, 'flood', ctx)
    const what = `step ${ctx.index + 1}: flood`
    keys(b, ['sequencer', 'rate', 'for', 'connections', 'mix', 'timeout'], 'flood', ctx)
    checkTarget(b.sequencer, `${what}.sequencer`)
    if (!(Number.isInteger(b.rate) && (b.rate as number) >= 1 && (b.rate as number) <= 100_000))
      throw new LoadtestError(`${what}.rate: submissions per second, 1..100000`)
    duration(b.for ?? '10s', `${what}.for`)
    if (b.timeout !== undefined) duration(b.timeout, `${what}.timeout`)
    if (b.connections !== undefined && !(Number.isInteger(b.connections) && (b.connections as number) >= 1))
      throw new LoadtestError(`${what}.connections: a positive integer`)
    if (b.mix !== undefined && typeof b.mix !== 'string') throw new LoadtestError(`${what}.mix: CASE=WEIGHT,…`)
  },
  async run(body, expect, ctx) {
    const b = body as Body
    const s = ctx.chaos
    const m = await s.start()
    const seq = await resolveTarget(m, b.sequencer as string)
    if (seq.role !== 'sequencer' || !seq.builderApi)
      throw new LoadtestError(`${seq.name}: not a sequencer with a builder API in the manifest`)
    if (!m.builderJwt) throw new LoadtestError('the manifest names no builderJwt: "flood" signs as a builder')
    const chain = m.chains.find((c) => c.chainId === seq.chain)!
    const engine = processNamed(m, `engine-sim-${chain.name}${seq.index}`)
    const forMs = duration(b.for ?? '10s', 'for')
    const rate = b.rate as number
    s.faults.push({ atMs: s.now(), action: 'flood', target: seq.name, pid: seq.pid, detail: `${rate} submissions/s` })
    const result = await runLoadtest(
      {
        kind: 'builder',
        target: seq.builderApi,
        rpc: [engine.engine!],
        jwtSecret: m.builderJwt,
        ...(seq.rpc ? { debug: seq.rpc } : {}),
        rate,
        duration: `${forMs}ms`,
        connections: (b.connections as number | undefined) ?? 8,
        timeout: (b.timeout as string | undefined) ?? '5s',
        ...(b.mix !== undefined ? { mix: b.mix as string } : {}),
        progress: 'off',
      },
      ctx.deps,
    )
    s.faults.push({ atMs: s.now(), action: 'flood end', target: seq.name, pid: seq.pid })
    const own = evaluate(result, parseExpectations(expect))
    result.expectations = [...result.expectations, ...own]
    return { result, expectations: result.expectations }
  },
}
