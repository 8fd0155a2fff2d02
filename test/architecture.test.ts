import { readdirSync, readFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

// The floors of docs/architecture.md, the one table the code must agree with: which folder may
// import which. A role stands on floors only (the supervisor also on its log index); cli and
// devnet compose the roles; a workers/ task file belongs to its role.
const FLOORS: Record<string, readonly string[]> = {
  util: [], errors: [], config: ['util'], interop: ['util'], rpc: ['errors', 'util'],
  engine: ['errors', 'interop', 'util'], check: ['errors', 'interop', 'util'], pbs: ['engine'],
}
const floors = Object.keys(FLOORS)
const ROLES = ['supervisor', 'ingress', 'sweep', 'sequencer', 'builder', 'enginesim', 'logindex']
const ALLOWED: Record<string, readonly string[]> = {
  ...FLOORS,
  ...Object.fromEntries(ROLES.map((r) => [r, floors])),
  supervisor: [...floors, 'logindex'],
  cli: [...floors, ...ROLES, 'devnet'],
  devnet: [...floors, ...ROLES],
  'workers/sweep': [...floors, 'sweep', 'logindex'],
  'workers/txpool': [...floors, 'sweep'],
  'workers/blockHash': [...floors, 'sequencer'],
  'workers/senderRecovery': [...floors, 'ingress'],
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SPEC = /(?:^|\n)\s*(?:import|export)\b[^;'"]*?\bfrom\s*'(\.{1,2}\/[^']+)'|(?:^|\n)\s*import\s*'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(posix.join(dir, e.name)) : e.name.endsWith('.ts') ? [posix.join(dir, e.name)] : [])
}

/** `src/<domain>/…` → domain; `workers/<file>.ts` → `workers/<file>`. */
function domainOf(path: string): string {
  const [top, second = ''] = path.split('/')
  return top === 'workers' ? `workers/${second.replace(/\.[jt]s$/, '')}` : second
}

test('every import between folders follows the floors', () => {
  const broken: string[] = []
  for (const file of [...sources('src'), ...sources('workers')]) {
    const from = domainOf(file)
    const text = readFileSync(join(ROOT, file), 'utf8')
    for (const m of text.matchAll(SPEC)) {
      const to = domainOf(posix.join(posix.dirname(file), m[1] ?? m[2] ?? m[3]!))
      const line = text.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0)
      if (to !== from && !(ALLOWED[from] ?? []).includes(to)) broken.push(`${file}:${line} ${from} → ${to}`)
    }
  }
  assert.equal(broken, [], broken.join('\n'))
})

test.run()
