import { execSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Machine line every benchmark prints first, so numbers are read against the box that made them. */
export function systemInfo(): Record<string, unknown> {
  let sha = 'unknown'
  try {
    sha = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim()
  } catch {}
  return { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, sha }
}

/** Prints one JSON line and keeps it in bench/results/<name>.json. */
export function report(name: string, result: Record<string, unknown>): void {
  const line = { bench: name, ...result, system: systemInfo(), at: new Date().toISOString() }
  const text = JSON.stringify(line, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))
  console.log(text)
  const dir = join(repoRoot(), 'bench', 'results')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, `${name}.json`), `${text}\n`)
}

/**
 * The repository this file was compiled from: the first directory above it holding package.json.
 * Walks up because builds land at different depths (dist/bench, .build/<name>/bench).
 */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`)
    dir = parent
  }
}

export type LoadResult = { reqPerSec: number; p99Ms: number; errors: number; non2xx: number; total: number }

/**
 * HTTP load with autocannon on a worker thread (the server under test keeps the main thread,
 * so generator and server each get a core). Bodies rotate per connection.
 */
export async function runLoad(opts: {
  url: string
  bodies: readonly string[]
  connections?: number
  pipelining?: number
  durationS?: number
}): Promise<LoadResult> {
  // Imported here: loading autocannon (hdr-histogram's WASM) costs ~1 s that benches without HTTP load need not pay.
  const { default: autocannon } = await import('autocannon')
  const r = await autocannon({
    url: opts.url,
    connections: opts.connections ?? 50,
    pipelining: opts.pipelining ?? 1,
    duration: opts.durationS ?? 5,
    workers: 1,
    requests: opts.bodies.map((body) => ({
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/json' },
      body,
    })),
  })
  return {
    reqPerSec: Math.round(r.requests.average),
    p99Ms: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    total: r.requests.total,
  }
}

/** Seconds since `start` (performance.now()). */
export const since = (start: number) => (performance.now() - start) / 1000

export const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000
