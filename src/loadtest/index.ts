export { judgeSubmission, LOAD_REFUSALS } from './builder.js'
export { CHAOS_METRICS, type ChaosFigures } from './chaos/figures.js'
export { formatChaos, renderScenarioReport } from './chaos/report.js'
export { CHECKER_EXPECT } from './checker.js'
export { type CompareRow, compareResults, formatCompare, readResult } from './compare.js'
export { LoadtestError } from './errors.js'
export { type Expectation, type ExpectationOutcome, evaluate, parseExpectations } from './expect.js'
export { formatSummary, progressLine } from './format.js'
export { INGRESS_EXPECT } from './ingress.js'
export { CASES, DEFAULT_MIX, parseMix } from './mix.js'
export {
  LOADTEST_KINDS,
  type LoadtestConfig,
  type LoadtestInput,
  type LoadtestKind,
  loadtestConfig,
  loadtestSpec,
} from './options.js'
export { renderReport } from './report.js'
export type { LoadtestResult } from './result.js'
export { LOADTEST_WORKER } from './runner.js'
export {
  checkScenario,
  readScenario,
  runScenario,
  type ScenarioDeps,
  type ScenarioFile,
  type ScenarioResult,
  type ScenarioStep,
  STEP_KINDS,
  type StepKind,
} from './scenario.js'
export { type LoadtestDeps, runLoadtest } from './start.js'
