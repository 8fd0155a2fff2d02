import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The compiled CLI entry next to this compiled helper, so tests run whatever build they belong to. */
export const CLI_ENTRY = fileURLToPath(new URL('../../src/cli/run.js', import.meta.url))

/**
 * Starts `superguard <args>` as a child process with piped output. The caller stops it.
 * `group`: in a process group of its own, as a shell runs a job, so that a signal to `-pid`
 * reaches it and everything it spawned, as a terminal's Ctrl-C does.
 */
export function spawnCli(
  args: readonly string[],
  env: Record<string, string> = {},
  opts: { group?: boolean } = {},
): ChildProcess {
  return spawn(process.execPath, [CLI_ENTRY, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
    detached: opts.group ?? false,
  })
}

/** Runs `superguard <args>` to completion and returns its exit code and output. */
export async function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(args, env)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString()
  })
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { code, stdout, stderr }
}
