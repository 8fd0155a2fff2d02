import { readFileSync } from 'node:fs'

/** What is running: shown by `--version`, in the first log line and as `superguard_build_info`. */
export type BuildInfo = {
  /** package.json's version. */
  version: string
  /** The git commit the build was made from (scripts/buildInfo.js, at `npm run build`), or `unknown`. */
  commit: string
  /** The Node.js running it, e.g. `v20.20.0`. */
  node: string
}

let cached: BuildInfo | undefined

/**
 * Read once from the package's own files: `package.json` and `dist/buildInfo.json`, both found
 * from this compiled module (dist/src/util/), so an installed package reports itself, not the cwd.
 */
export function buildInfo(): BuildInfo {
  if (cached) return cached
  const read = (rel: string): Record<string, unknown> => {
    try {
      return JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as Record<string, unknown>
    } catch {
      return {}
    }
  }
  const pkg = read('../../../package.json')
  const built = read('../../buildInfo.json')
  cached = {
    version: typeof pkg.version === 'string' ? pkg.version : 'unknown',
    commit: typeof built.commit === 'string' && built.commit !== '' ? built.commit : 'unknown',
    node: process.version,
  }
  return cached
}

/** `superguard 0.1.0 (commit 94c5ff9, node v20.20.0)`: what `--version` prints. */
export function versionLine(): string {
  const b = buildInfo()
  return `superguard ${b.version} (commit ${b.commit}, node ${b.node})`
}
