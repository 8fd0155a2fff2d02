import { readFileSync } from 'node:fs'
import { ConfigError } from '../config/index.js'
import type { ChaosFigures } from './chaos/figures.js'
import { ChaosSession } from './chaos/session.js'
import { CHAOS_STEP_KINDS } from './chaos/steps.js'
import { LoadtestError } from './errors.js'
import { type ExpectationOutcome, evaluate, parseExpectations } from './expect.js'
import { machine } from './machine.js'
import { type LoadtestInput, loadtestConfig, loadtestSpec } from './options.js'
import type { LoadtestResult } from './result.js'
import { type LoadtestDeps, runLoadtest } from './start.js'

/**
 * A scenario file (`superguard loadtest run FILE.json`):
 *
 *   { "name": "...", "defaults": { <options> }, "steps": [ { "load": { <options> }, "expect": ["wrong=0"] }, … ] }
 *
 * Options are the command's, by their camelCase names (as in a --config file); a step's options
 * override the defaults. A step is an object with exactly one step kind key (today `load`) and an
 * optional `name` and `expect`. The format is meant to grow: a new step kind (the topology work's
 * `{"fault": {"kill": …}}`) is a new entry in STEP_KINDS; an unknown kind is refused before any
 * step runs (exit 2), so an old superguard never half-runs a newer scenario.
 */
export type ScenarioFile = {
  name?: string
  defaults?: Record<string, unknown>
  steps: ScenarioStep[]
}
export type ScenarioStep = { name?: string; expect?: string[] } & Record<string, unknown>

/** What `runScenario` takes besides the load options: the chaos steps' cluster manifest (`--manifest`). */
export type ScenarioDeps = LoadtestDeps & { manifest?: string }
export type StepContext = {
  defaults: Record<string, unknown>
  deps: LoadtestDeps
  index: number
  /** The chaos steps' shared state (cluster manifest, watchers, traffic, faults) of this run. */
  chaos: ChaosSession
}
export type StepOutcome = { result?: LoadtestResult; chaos?: ChaosFigures; expectations: ExpectationOutcome[] }

/** What a step kind does: check its body before anything runs (throw), then run it. */
export type StepKind = {
  /** Parses the step's `expect` list (default: the load result's metrics); throws on a bad one. */
  checkExpect?: (texts: readonly string[]) => unknown
  validate(body: unknown, ctx: StepContext): void
  run(body: unknown, expect: readonly string[], ctx: StepContext): Promise<StepOutcome>
}

const load: StepKind = {
  validate(body, ctx) {
    loadtestConfig(loadValues(body, ctx))
  },
  async run(body, expect, ctx) {
    const values = loadValues(body, ctx)
    const result = await runLoadtest(values, ctx.deps)
    // the step's own expectations join the options' (--expect in defaults)
    const own = evaluate(result, parseExpectations(expect))
    result.expectations = [...result.expectations, ...own]
    return { result, expectations: result.expectations }
  },
}

/** Step kinds by their key. */
export const STEP_KINDS: Map<string, StepKind> = new Map([['load', load], ...CHAOS_STEP_KINDS])

function loadValues(body: unknown, ctx: StepContext): LoadtestInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new LoadtestError(`step ${ctx.index + 1}: "load" must be an object of options`)
  return { ...ctx.defaults, ...(body as Record<string, unknown>) } as LoadtestInput
}

export type ScenarioResult = {
  schema: 1
  scenario: string
  name: string | undefined
  passed: boolean
  steps: {
    index: number
    name: string | undefined
    kind: string
    /** When the step began and ended, ms since the scenario began. */
    startMs: number
    endMs: number
    expectations: ExpectationOutcome[]
    result?: LoadtestResult
    /** A traffic step that stopped: the chaos figures. */
    chaos?: ChaosFigures
  }[]
  /** The last chaos figures (the traffic measured when it stopped, or at the end of the scenario). */
  chaos?: ChaosFigures
  startedAt: string
  machine: LoadtestResult['machine']
  versions: LoadtestResult['versions']
}

/** Reads and checks a whole scenario (every step, before any runs); LoadtestError on the first problem. */
export function readScenario(path: string): ScenarioFile {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new LoadtestError(`scenario ${path}: ${(err as Error).message}`)
  }
  return checkScenario(parsed, path)
}

export function checkScenario(parsed: unknown, path = 'scenario'): ScenarioFile {
  const bad = (msg: string) => new LoadtestError(`scenario ${path}: ${msg}`)
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw bad('not a JSON object')
  const s = parsed as Record<string, unknown>
  for (const k of Object.keys(s))
    if (!['name', 'defaults', 'steps'].includes(k)) throw bad(`unknown key "${k}" (expected name, defaults, steps)`)
  if (s.defaults !== undefined && (typeof s.defaults !== 'object' || s.defaults === null || Array.isArray(s.defaults)))
    throw bad('"defaults" must be an object of options')
  for (const k of Object.keys((s.defaults as object) ?? {}))
    if (!(k in loadtestSpec.options)) throw bad(`defaults: unknown option "${k}"`)
  if (!Array.isArray(s.steps) || s.steps.length === 0) throw bad('"steps" must be a non-empty list')
  const ctx = (index: number): StepContext => ({
    defaults: (s.defaults as Record<string, unknown>) ?? {},
    deps: {},
    index,
    chaos: new ChaosSession(undefined),
  })
  s.steps.forEach((step, i) => {
    if (step === null || typeof step !== 'object' || Array.isArray(step)) throw bad(`step ${i + 1} is not an object`)
    const keys = Object.keys(step).filter((k) => k !== 'name' && k !== 'expect')
    if (keys.length !== 1)
      throw bad(
        `step ${i + 1} must have exactly one kind key (known: ${[...STEP_KINDS.keys()].join(', ')}), got ${keys.length === 0 ? 'none' : keys.join(', ')}`,
      )
    const kind = STEP_KINDS.get(keys[0]!)
    if (!kind)
      throw bad(
        `step ${i + 1}: unknown step kind "${keys[0]}" (this superguard knows: ${[...STEP_KINDS.keys()].join(', ')})`,
      )
    const expect = (step as ScenarioStep).expect
    if (expect !== undefined && (!Array.isArray(expect) || !expect.every((e) => typeof e === 'string')))
      throw bad(`step ${i + 1}: "expect" must be a list of strings`)
    try {
      const checkExpect = kind.checkExpect ?? parseExpectations
      checkExpect(expect ?? [])
      kind.validate((step as Record<string, unknown>)[keys[0]!], ctx(i))
    } catch (err) {
      if (err instanceof LoadtestError) throw err
      if (err instanceof ConfigError) throw bad(`step ${i + 1}: ${err.problems.join('; ')}`)
      throw bad(`step ${i + 1}: ${(err as Error).message}`)
    }
  })
  return s as ScenarioFile
}

/**
 * Runs the steps in order; a failed expectation does not stop the scenario (every step reports).
 * Traffic still running after the last step is stopped and measured as a last step ("end of
 * scenario"); a process a fault step stopped is continued.
 */
export async function runScenario(
  scenario: ScenarioFile,
  path: string,
  deps: ScenarioDeps = {},
  onStep?: (index: number, outcome: StepOutcome) => void,
): Promise<ScenarioResult> {
  const out: ScenarioResult = {
    schema: 1,
    scenario: path,
    name: scenario.name,
    passed: true,
    steps: [],
    startedAt: new Date().toISOString(),
    ...machine(),
  }
  const chaos = new ChaosSession(deps.manifest)
  const push = (index: number, name: string | undefined, kind: string, startMs: number, outcome: StepOutcome) => {
    onStep?.(index, outcome)
    if (outcome.expectations.some((e) => !e.ok)) out.passed = false
    if (outcome.chaos) out.chaos = outcome.chaos
    out.steps.push({
      index,
      name,
      kind,
      startMs,
      endMs: chaos.now(),
      expectations: outcome.expectations,
      ...(outcome.result ? { result: outcome.result } : {}),
      ...(outcome.chaos ? { chaos: outcome.chaos } : {}),
    })
  }
  try {
    for (const [index, step] of scenario.steps.entries()) {
      const kindName = Object.keys(step).find((k) => k !== 'name' && k !== 'expect')!
      const kind = STEP_KINDS.get(kindName)!
      const startMs = chaos.now()
      const outcome = await kind.run(step[kindName], step.expect ?? [], {
        defaults: scenario.defaults ?? {},
        deps,
        index,
        chaos,
      })
      push(index, step.name, kindName, startMs, outcome)
    }
    if (chaos.traffic) {
      const startMs = chaos.now()
      const figures = await chaos.stopTraffic(Math.max(3_000, 3 * chaos.manifest().slotMs))
      push(scenario.steps.length, 'end of scenario', 'traffic', startMs, { chaos: figures, expectations: [] })
    }
  } finally {
    await chaos.finish()
  }
  return out
}
