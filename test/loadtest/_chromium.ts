import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Opens a file in Debian's headless chromium and returns the DOM after load (--dump-dom) and every
 * console message the page produced (chromium logs them to stderr as `:CONSOLE:` lines with
 * --enable-logging=stderr; a script error shows up there as "Uncaught …"). The process is killed by
 * its pid after `timeoutMs`.
 */
export async function openInChromium(file: string, timeoutMs = 30_000): Promise<{ dom: string; console: string[] }> {
  const profile = mkdtempSync(join(tmpdir(), 'sg-chromium-'))
  const child = spawn(
    'chromium',
    [
      '--headless',
      '--disable-gpu',
      '--no-sandbox',
      '--no-first-run',
      '--enable-logging=stderr',
      '--v=0',
      `--user-data-dir=${profile}`,
      '--dump-dom',
      `file://${file}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let dom = ''
  let err = ''
  child.stdout.on('data', (c: Buffer) => {
    dom += c.toString()
  })
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString()
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', resolve)
    })
    if (code !== 0) throw new Error(`chromium exited ${code}: ${err.slice(-500)}`)
  } finally {
    clearTimeout(timer)
    rmSync(profile, { recursive: true, force: true })
  }
  return { dom, console: err.split('\n').filter((l) => l.includes(':CONSOLE')) }
}
