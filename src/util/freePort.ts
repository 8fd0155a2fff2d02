import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'

/**
 * A port on 127.0.0.1 that was free a moment ago, for two services that must know each other's
 * address before either listens (sequencer ↔ builder). Prefer port 0 wherever one side suffices.
 */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
