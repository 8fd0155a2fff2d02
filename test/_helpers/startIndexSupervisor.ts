import type { AddressInfo } from 'node:net'
import { createIndexBackend } from '../../src/check/index.js'
import { IndexLogReader } from '../../src/logindex/index.js'
import { LogStore } from '../../src/logindex/logStore.js'
import { openDb } from '../../src/logindex/openDb.js'
import { createRpcServer } from '../../src/rpc/index.js'
import { Failsafe, supervisorMethods } from '../../src/supervisor/index.js'
import { createLogger } from '../../src/util/logger.js'

export type IndexSupervisor = { url: string; failsafe: Failsafe; close(): Promise<void> }

/**
 * The supervisor's JSON-RPC methods over an existing index file, on 127.0.0.1:0 in this process:
 * startSupervisor without the ingesters, for fixtures written by writeIndexFixture. The reader is
 * built as startIndexer builds it (the writer's handle, heads and readiness in memory), so checks
 * cost what they cost in a running supervisor.
 */
export async function startIndexSupervisor(
  path: string,
  opts: { chains?: readonly bigint[]; bodyLimit?: number; maxBatch?: number } = {},
): Promise<IndexSupervisor> {
  const db = openDb(path)
  const store = new LogStore(db)
  const chains = opts.chains ?? [901n, 902n]
  for (const id of chains) store.registerChain(id)
  const reader = new IndexLogReader(db, { chains, state: store, heldSnapshot: true })
  const logger = createLogger('silent')
  const backend = createIndexBackend(reader, { status: () => [] })
  const failsafe = new Failsafe(false)
  const app = createRpcServer({
    methods: supervisorMethods({ backend, failsafe, logger }),
    logger,
    ...(opts.bodyLimit ? { bodyLimit: opts.bodyLimit } : {}),
    ...(opts.maxBatch ? { maxBatch: opts.maxBatch } : {}),
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const port = (app.server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    failsafe,
    close: async () => {
      await app.close()
      db.close()
    },
  }
}
