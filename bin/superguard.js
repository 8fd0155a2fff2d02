#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ (npm ci, npm test and npm start build it).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const entry = new URL('../dist/src/cli/run.js', import.meta.url)
if (!existsSync(fileURLToPath(entry))) {
  console.error('superguard is not built yet: run `npm run build`')
  process.exit(1)
}
await import(entry.href)
