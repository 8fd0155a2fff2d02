import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

// The floors of docs/architecture.md live in one table, in scripts/checkImports.js (also run by
// `npm run lint`); this keeps them in `npm test` too, and shows the check can fail.
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const check = (root?: string) =>
  spawnSync(process.execPath, [join(ROOT, 'scripts/checkImports.js'), ...(root ? [root] : [])], { encoding: 'utf8' })

test('every import between folders follows the floors', () => {
  const r = check()
  assert.is(r.stderr, '')
  assert.is(r.status, 0)
})

test('a role importing another role, or a floor importing a role, is reported with its line', () => {
  const root = mkdtempSync(join(tmpdir(), 'floors-'))
  try {
    for (const d of ['src/builder', 'src/sequencer', 'src/engine']) mkdirSync(join(root, d), { recursive: true })
    writeFileSync(join(root, 'src/sequencer/types.ts'), 'export type X = 1\n')
    writeFileSync(
      join(root, 'src/builder/start.ts'),
      "import { a } from '../engine/a.js'\nimport type { X } from '../sequencer/types.js'\n",
    )
    writeFileSync(join(root, 'src/engine/a.ts'), "export const a = await import('../builder/start.js')\n")
    const r = check(root)
    assert.is(r.status, 1)
    assert.equal(r.stderr.trim().split('\n').sort(), [
      'import breaks the floors (docs/architecture.md): src/builder/start.ts:2 builder → sequencer',
      'import breaks the floors (docs/architecture.md): src/engine/a.ts:1 engine → builder',
    ])
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})

test.run()
