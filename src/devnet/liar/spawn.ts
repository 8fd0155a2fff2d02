import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * Starts the lying-supervisor double (main.js) as a child process on `port`, its log in `logFile`,
 * and resolves once it answers `liar_status` (within 20 s). Not one of the cluster's manifest
 * processes: the manifest names it under `doubles`, and `close()` stops it (SIGTERM, SIGKILL after 3 s).
 */
export async function spawnLyingSupervisor(
  upstream: string,
  port: number,
  logFile: string,
  logLevel: string,
): Promise<{ url: string; pid: number; close(): Promise<void> }> {
  const fd = openSync(logFile, 'a')
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('./main.js', import.meta.url)), upstream, String(port), logLevel],
    {
      stdio: ['ignore', fd, fd],
    },
  )
  closeSync(fd)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = `http://127.0.0.1:${port}`
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const t = setTimeout(() => child.kill('SIGKILL'), 3_000)
    await exited
    clearTimeout(t)
  }
  const end = Date.now() + 20_000
  for (;;) {
    try {
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"jsonrpc":"2.0","id":1,"method":"liar_status","params":[]}',
        signal: AbortSignal.timeout(1_000),
      })
      await r.arrayBuffer()
      if (r.ok) return { url, pid: child.pid!, close }
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > end) {
      await close()
      throw new Error(`the lying-supervisor double did not start (log ${logFile})`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}
