#!/usr/bin/env node
// Runs the compiled uvu suite and ends with the plain "N passed, N failed" line CI reads.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { createRequire } from 'node:module'

// uvu's package exports hide bin.js; find it next to the package's main entry (dist/index.js).
const uvu = join(dirname(createRequire(import.meta.url).resolve('uvu')), '..', 'bin.js')
const child = spawn(process.execPath, [uvu, 'dist/test', '\\.test\\.js$', ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] })
let out = ''
child.stdout.on('data', (chunk) => {
  out += chunk
  process.stdout.write(chunk)
})
child.on('exit', (code, signal) => {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '')
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0)
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0)
  const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0)
  console.log(`${passed} passed, ${total - passed - skipped} failed, ${skipped} skipped`)
  process.exit(code ?? (signal ? 1 : 0))
})
