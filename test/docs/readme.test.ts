import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { builderSpec } from '../../src/builder/options.js'
import { flagName, type OptionsSpec, type Spec } from '../../src/config/index.js'
import { conductorSpec } from '../../src/devnet/conductor/options.js'
import { devnetSpec } from '../../src/devnet/options.js'
import { engineSimSpec } from '../../src/enginesim/options.js'
import { ingressSpec } from '../../src/ingress/options.js'
import { loadtestSpec } from '../../src/loadtest/options.js'
import { sequencerSpec } from '../../src/sequencer/options.js'
import { supervisorSpec } from '../../src/supervisor/options.js'
import { sweepSpec } from '../../src/sweep/options.js'
import { fencedCommands, flagsIn, optionRows, readme, section } from './readmeCommands.js'

// The README cannot drift from the code: every command it shows names options its role has, every
// option table row is an option of that role with the code's default, and every option of a role
// is documented in its section. (readmeExamples.test.ts runs the examples that can run here.)

const SPECS: Record<string, Spec<OptionsSpec>> = {
  supervisor: supervisorSpec as unknown as Spec<OptionsSpec>,
  ingress: ingressSpec as unknown as Spec<OptionsSpec>,
  sweep: sweepSpec as unknown as Spec<OptionsSpec>,
  sequencer: sequencerSpec as unknown as Spec<OptionsSpec>,
  builder: builderSpec as unknown as Spec<OptionsSpec>,
  'engine-sim': engineSimSpec as unknown as Spec<OptionsSpec>,
  devnet: devnetSpec as unknown as Spec<OptionsSpec>,
  'conductor-standin': conductorSpec as unknown as Spec<OptionsSpec>,
  loadtest: loadtestSpec as unknown as Spec<OptionsSpec>,
}
/** Flags every command takes besides its spec's. */
const ALWAYS = ['help', 'config', 'version']
/** One-off tools whose options are declared in their CLI file; the README names them. */
const TOOL_FLAGS: Record<string, string[]> = {
  inspect: ['json'],
  'access-list': ['rpc', 'tx', 'block', 'log-index', 'json', 'timeout'],
}

function flagsOf(role: string): Set<string> {
  const spec = SPECS[role]
  const names = spec
    ? Object.entries(spec.options).flatMap(([k, s]) => [flagName(k, s), ...(s.aliases ?? []).map((a) => a)])
    : (TOOL_FLAGS[role] ?? [])
  // `loadtest run`'s own --manifest (the topology's, for chaos steps) is no option of a load run.
  return new Set([...names, ...ALWAYS, ...(role === 'loadtest' ? ['manifest'] : [])])
}

test('every `superguard …` command in the README names a command and only options it has', () => {
  const md = readme()
  const commands = fencedCommands(md)
  assert.ok(commands.length >= 10, `found ${commands.length} commands`)
  for (const c of commands) {
    const [role, ...rest] = c.argv
    if (role === '--version' || role === '-v' || role === '--help') continue
    assert.ok(role && (SPECS[role] || TOOL_FLAGS[role]), `README line ${c.line}: unknown command in "${c.text}"`)
    for (const f of flagsIn(rest.join(' ')))
      assert.ok(flagsOf(role!).has(f), `README line ${c.line}: superguard ${role} has no --${f} ("${c.text}")`)
  }
})

test('every option table row of a role section is an option of that role', () => {
  const md = readme()
  for (const role of ['supervisor', 'ingress', 'sweep', 'sequencer', 'builder', 'engine-sim', 'loadtest']) {
    const rows = optionRows(section(md, role))
    assert.ok(rows.length > 3, `${role}: option table found`)
    for (const r of rows)
      for (const f of r.flags)
        assert.ok(
          flagsOf(role).has(f) || f === 'log-level',
          `${role} README table names --${f}, which it does not have`,
        )
  }
})

test('every option of a role is documented in its README section (or the shared listener table)', () => {
  const md = readme()
  const shared = new Set(
    flagsIn(md.slice(md.indexOf('## Configuration (every role)'), md.indexOf('## `superguard supervisor`'))),
  )
  for (const role of ['supervisor', 'ingress', 'sweep', 'sequencer', 'builder', 'engine-sim', 'loadtest']) {
    const documented = new Set(flagsIn(section(md, role)))
    const missing = [...flagsOf(role)].filter((f) => !ALWAYS.includes(f) && !documented.has(f) && !shared.has(f))
    assert.equal(missing, [], `${role}: options missing from its README section: ${missing.join(', ')}`)
  }
})

/** A README default cell as the value the spec would hold, or undefined when it is prose. */
function readmeDefault(cell: string): string | undefined {
  const m = /^`?([0-9][0-9.]*(?:ms|s|m|h|d)?|true|false|[a-z-]+)`?$/.exec(cell.replace(/\*\*/g, '').trim())
  if (!m) return undefined
  return m[1] === 'off' ? 'false' : m[1] === 'on' ? 'true' : m[1]
}

test('defaults in the option tables are the code defaults', () => {
  const md = readme()
  let compared = 0
  for (const role of ['supervisor', 'ingress', 'sweep', 'sequencer', 'builder', 'engine-sim', 'loadtest']) {
    const spec = SPECS[role]!
    const byFlag = new Map(Object.entries(spec.options).map(([k, s]) => [flagName(k, s), s]))
    for (const r of optionRows(section(md, role))) {
      // Rows of one option with a default column: `| --flag | [env |] default | meaning |`.
      if (r.flags.length !== 1 || r.cells.length < 3) continue
      const s = byFlag.get(r.flags[0]!)
      if (!s || s.default === undefined || Array.isArray(s.default)) continue
      const cell = r.cells.length === 4 ? r.cells[2]! : r.cells[1]!
      const shown = readmeDefault(cell)
      if (shown === undefined) continue
      assert.is(shown, String(s.default), `${role} --${r.flags[0]}: README says ${cell}, the code ${s.default}`)
      compared++
    }
  }
  assert.ok(compared >= 15, `compared ${compared} defaults`)
})

test('the README points only at files that exist', async () => {
  const { existsSync } = await import('node:fs')
  const { fileURLToPath } = await import('node:url')
  const root = fileURLToPath(new URL('../../../', import.meta.url))
  const md = readme()
  for (const m of md.matchAll(
    /`((?:docs|deploy|bench|schema|src|scripts|test)\/[^`\s*…<]+|[A-Z][A-Za-z]+\.md|Dockerfile|docker-compose\.yml|LICENSE)`/g,
  )) {
    const path = m[1]!.replace(/[),.:]+$/, '')
    assert.ok(existsSync(`${root}${path}`), `README names ${path}, which does not exist`)
  }
})

test.run()
