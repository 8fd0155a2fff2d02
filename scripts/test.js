#!/usr/bin/env node
// Runs the compiled uvu suite and ends with the plain "N passed, N failed" line CI reads.
// Bounded: a suite that prints its totals but keeps a handle open is ended (and named as such),
// and the whole run has a deadline, so CI never waits on a hung test.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const SUITE_DEADLINE_MS = 12 * 60_000
const EXIT_GRACE_MS = 10_000

// uvu's package exports hide bin.js; find it next to the package's main entry (dist/index.js).
const uvu = join(dirname(createRequire(import.meta.url).resolve('uvu')), '..', 'bin.js')
const child = spawn(process.execPath, [uvu, 'dist/test', '\\.test\\.js$', ...process.argv.slice(2)], {
  stdio: ['ignore', 'pipe', 'inherit'],
})
let out = ''
let lingering
const deadline = setTimeout(() => {
  console.error(`test suite still running after ${SUITE_DEADLINE_MS / 60_000} minutes: stopped`)
  child.kill('SIGKILL')
}, SUITE_DEADLINE_MS)
child.stdout.on('data', (chunk) => {
  out += chunk
  process.stdout.write(chunk)
  if (!lingering && /Duration:/.test(out)) {
    lingering = setTimeout(() => {
      console.error('the suite finished but left a handle open: stopped')
      child.kill('SIGKILL')
    }, EXIT_GRACE_MS)
  }
})
child.on('exit', (code) => {
  clearTimeout(deadline)
  clearTimeout(lingering)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: uvu colours its totals with terminal escapes
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '')
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0)
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0)
  const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0)
  const failed = total - passed - skipped
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
  const finished = /Duration:/.test(plain)
  process.exit(finished ? (failed > 0 || total === 0 ? 1 : 0) : code || 1)
})
