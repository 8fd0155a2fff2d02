import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, hostname, loadavg, totalmem } from 'node:os'
import type { LoadtestResult } from './result.js'

const require = createRequire(import.meta.url)

function versionOf(path: string): string {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

/** The box and the software that produced a result: a number means little without them. */
export function machine(): { machine: LoadtestResult['machine']; versions: LoadtestResult['versions'] } {
  const cpu = cpus()
  return {
    machine: {
      hostname: hostname(),
      platform: `${process.platform} ${process.arch}`,
      cpus: cpu.length,
      cpu: cpu[0]?.model ?? 'unknown',
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      loadAvg: loadavg().map((n) => Math.round(n * 100) / 100),
    },
    versions: {
      superguard: versionOf(new URL('../../../package.json', import.meta.url).pathname),
      node: process.version,
      autocannon: versionOf(require.resolve('autocannon/package.json')),
    },
  }
}
