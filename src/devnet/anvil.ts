import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createRequire } from 'node:module'

export type AnvilOptions = {
  chainId: number
  /** Extra anvil flags, e.g. ['--no-mining'] or ['--block-time', '1']. */
  args?: readonly string[]
  /** How long to wait for "Listening on" before giving up. */
  startTimeoutMs?: number
  /**
   * In a process group of its own: a terminal's Ctrl-C then reaches only the parent, which stops
   * anvil after what depends on it (the devnet). Without it anvil dies with the parent's group.
   */
  ownGroup?: boolean
}

export type Anvil = {
  url: string
  port: number
  chainId: number
  pid: number
  /** SIGTERM, then SIGKILL after 2 s; resolves when the process has exited. */
  stop(): Promise<void>
}

const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL')
})

/** Path of the anvil binary shipped by the @foundry-rs/anvil-linux-amd64 npm package. */
export function anvilBinary(): string {
  const require = createRequire(import.meta.url)
  try {
    return require.resolve('@foundry-rs/anvil-linux-amd64/bin/anvil')
  } catch {
    throw new Error('anvil not found: install dev dependencies (npm ci) to get @foundry-rs/anvil-linux-amd64')
  }
}

/** Starts anvil on 127.0.0.1 with an OS-chosen port and resolves once it listens. */
export async function startAnvil(opts: AnvilOptions): Promise<Anvil> {
  const child = spawn(
    anvilBinary(),
    ['--host', '127.0.0.1', '--port', '0', '--chain-id', String(opts.chainId), ...(opts.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: opts.ownGroup ?? false },
  )
  live.add(child)
  child.once('exit', () => live.delete(child))
  const exited = once(child, 'exit').then(() => undefined)
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(
      () => fail(new Error(`anvil did not start within ${opts.startTimeoutMs ?? 10_000}ms: ${out.slice(-500)}`)),
      opts.startTimeoutMs ?? 10_000,
    )
    const fail = (err: Error) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(err)
    }
    const onData = (chunk: Buffer) => {
      out += chunk.toString()
      const m = /Listening on 127\.0\.0\.1:(\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        child.stdout!.off('data', onData)
        child.stdout!.resume() // keep draining so anvil never blocks on a full pipe
        resolve(Number(m[1]))
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (c: Buffer) => {
      out += c.toString()
    })
    child.once('error', fail)
    child.once('exit', (code) => fail(new Error(`anvil exited with ${code}: ${out.slice(-500)}`)))
  })
  child.removeAllListeners('error')
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    chainId: opts.chainId,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const t = setTimeout(() => child.kill('SIGKILL'), 2000)
      await exited
      clearTimeout(t)
    },
  }
}
