#!/usr/bin/env node
// The floors of docs/architecture.md as one table, and the check that every import between folders
// follows it (type-only imports count). `npm run lint` runs it, and so does test/architecture.test.ts.
// Usage: node scripts/checkImports.js [ROOT]   (exit 1 and one line per broken import)
import { readdirSync, readFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Which folder may import which: a role stands on floors only; cli and devnet compose the roles. */
export const FLOORS = {
  util: [],
  errors: [],
  config: ['util'],
  interop: ['util'],
  rpc: ['errors', 'util'],
  engine: ['errors', 'interop', 'util'],
  check: ['errors', 'interop', 'util'],
  pbs: ['engine'],
  store: ['errors', 'interop', 'util'],
  // EVM execution (ethereumjs) on the engine codec: engine-sim and the reference builder stand on it.
  evm: ['engine', 'errors', 'interop', 'util'],
}
const floors = Object.keys(FLOORS)
export const ROLES = ['supervisor', 'ingress', 'sweep', 'sequencer', 'builder', 'enginesim', 'logindex', 'loadtest']
export const ALLOWED = {
  ...FLOORS,
  ...Object.fromEntries(ROLES.map((r) => [r, floors])),
  // The one role-to-role import: the supervisor serves checks from its log index.
  supervisor: [...floors, 'logindex'],
  cli: [...floors, ...ROLES, 'devnet'],
  devnet: [...floors, ...ROLES],
  // A workers/ task file belongs to its role (the sweep's index mode also opens logindex's reader).
  'workers/sweep': [...floors, 'sweep', 'logindex'],
  'workers/txpool': [...floors, 'sweep'],
  'workers/blockHash': [...floors, 'sequencer'],
  'workers/senderRecovery': floors,
  'workers/quickCheck': [...floors, 'logindex'],
  'workers/loadtest': [...floors, 'loadtest'],
}

const SPEC =
  /(?:^|\n)\s*(?:import|export)\b[^;'"]*?\bfrom\s*'(\.{1,2}\/[^']+)'|(?:^|\n)\s*import\s*'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g

function sources(root, dir) {
  let entries
  try {
    entries = readdirSync(join(root, dir), { withFileTypes: true })
  } catch {
    return []
  }
  return entries.flatMap((e) =>
    e.isDirectory() ? sources(root, posix.join(dir, e.name)) : e.name.endsWith('.ts') ? [posix.join(dir, e.name)] : [],
  )
}

/** `src/<domain>/…` → domain; `workers/<file>.ts` → `workers/<file>`. */
function domainOf(path) {
  const [top, second = ''] = path.split('/')
  return top === 'workers' ? `workers/${second.replace(/\.[jt]s$/, '')}` : second
}

/** Every import under `root`'s src/ and workers/ that the table does not allow, as `file:line from → to`. */
export function brokenImports(root) {
  const broken = []
  for (const file of [...sources(root, 'src'), ...sources(root, 'workers')]) {
    const from = domainOf(file)
    const text = readFileSync(join(root, file), 'utf8')
    for (const m of text.matchAll(SPEC)) {
      const to = domainOf(posix.join(posix.dirname(file), m[1] ?? m[2] ?? m[3]))
      const line = text.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0)
      if (to !== from && !(ALLOWED[from] ?? []).includes(to)) broken.push(`${file}:${line} ${from} → ${to}`)
    }
  }
  return broken
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url))
  const broken = brokenImports(root)
  for (const b of broken) console.error(`import breaks the floors (docs/architecture.md): ${b}`)
  process.exit(broken.length === 0 ? 0 : 1)
}
