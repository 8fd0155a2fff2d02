import type { AddressInfo } from 'node:net'
import { openLogReader } from '../../src/logindex/index.js'
import { createRpcServer } from '../../src/rpc/index.js'
import { createIndexBackend, Failsafe, supervisorMethods } from '../../src/supervisor/index.js'
import { createLogger } from '../../src/util/logger.js'

export type IndexSupervisor = { url: string; failsafe: Failsafe; close(): Promise<void> }

/**
 * The supervisor's JSON-RPC methods over an existing index file (read-only), on 127.0.0.1:0 in
 * this process: startSupervisor without the indexer, for fixtures written by writeIndexFixture.
 */
export async function startIndexSupervisor(path: string, opts: { bodyLimit?: number; maxBatch?: number } = {}): Promise<IndexSupervisor> {
  const reader = openLogReader(path)
  const logger = createLogger('silent')
  const backend = createIndexBackend(reader, { status: () => [] })
  const failsafe = new Failsafe(false)
  const app = createRpcServer({ methods: supervisorMethods({ backend, failsafe, logger }), logger, ...opts })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    failsafe,
    close: async () => {
      await app.close()
      reader.close()
    },
  }
}
