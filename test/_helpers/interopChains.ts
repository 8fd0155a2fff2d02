import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import { type DevChain, DevSigner, setupChain } from '../../src/devnet/messages.js'

export type InteropChain = DevChain & { anvil: Anvil }

/**
 * Two real anvil chains (ids 901 and 902) with the emitter and the CrossL2Inbox stand-in
 * installed, and a dev signer. `stop()` ends both processes.
 */
export async function startInteropChains(): Promise<{
  a: InteropChain
  b: InteropChain
  signer: DevSigner
  stop(): Promise<void>
}> {
  const [anvilA, anvilB] = await Promise.all([startAnvil({ chainId: 901 }), startAnvil({ chainId: 902 })])
  const [a, b] = await Promise.all([setupChain(anvilA.url), setupChain(anvilB.url)])
  return {
    a: { ...a, anvil: anvilA },
    b: { ...b, anvil: anvilB },
    signer: new DevSigner(),
    stop: async () => {
      await Promise.all([anvilA.stop(), anvilB.stop()])
    },
  }
}

/** `superguard supervisor` arguments indexing both chains into `db`, on a free port, silent. */
export function supervisorArgv(a: { url: string }, b: { url: string }, db: string, poll = '50ms'): string[] {
  return ['--rpc', a.url, '--rpc', `902=${b.url}`, '--port', '0', '--poll', poll, '--log-level', 'silent', '--db', db]
}
