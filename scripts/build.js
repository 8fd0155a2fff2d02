#!/usr/bin/env node
// The one build: clean dist/, compile with tsc, stamp dist/buildInfo.json with the git commit
// (short hash, `-dirty` with uncommitted changes; SUPERGUARD_COMMIT when set, as in a container
// build without .git; else `unknown`) and a hash of every compiler input.
// `--if-stale` (npm's prepare, pretest, prestart) skips all of it when dist/ was built from the same
// inputs: `npm ci` builds once (prepare) and `npm test` right after it does not build again.
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const STAMP = 'dist/buildInfo.json'
const INPUT_DIRS = ['src', 'workers', 'bench', 'test']
const INPUT_FILES = ['tsconfig.json', 'package.json']

function inputsHash() {
  const h = createHash('sha256')
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (/\.(ts|json)$/.test(e.name)) h.update(p).update('\0').update(readFileSync(p)).update('\0')
    }
  }
  for (const f of INPUT_FILES) h.update(f).update('\0').update(readFileSync(f)).update('\0')
  for (const d of INPUT_DIRS) if (existsSync(d)) walk(d)
  return h.digest('hex')
}

function commit() {
  if (process.env.SUPERGUARD_COMMIT) return process.env.SUPERGUARD_COMMIT
  try {
    const git = (...args) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    const hash = git('rev-parse', '--short=12', 'HEAD')
    return git('status', '--porcelain', '--untracked-files=no') === '' ? hash : `${hash}-dirty`
  } catch {
    return 'unknown'
  }
}

const hash = inputsHash()
if (process.argv.includes('--if-stale')) {
  let stamp
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8'))
  } catch {}
  if (stamp?.inputs === hash && stamp.commit === commit()) {
    console.log('superguard: dist/ is up to date')
    process.exit(0)
  }
}
rmSync('dist', { recursive: true, force: true })
const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], {
  stdio: 'inherit',
})
if (tsc.status !== 0) process.exit(tsc.status ?? 1)
mkdirSync('dist', { recursive: true })
writeFileSync(STAMP, `${JSON.stringify({ commit: commit(), inputs: hash })}\n`)
