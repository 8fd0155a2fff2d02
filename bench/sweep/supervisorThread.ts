import { parentPort, workerData } from 'node:worker_threads'
import { startIndexSupervisor } from '../../test/_helpers/startIndexSupervisor.js'

/**
 * The supervisor of the sweep bench: its JSON-RPC methods over the bench's index file, on its
 * own thread, so its request handling does not count as the sweep's main-thread event-loop delay
 * (a supervisor is another service in production). Posts its URL; closes on 'close'.
 */
const { path, bodyLimit, maxBatch } = workerData as { path: string; bodyLimit: number; maxBatch: number }
const sup = await startIndexSupervisor(path, { bodyLimit, maxBatch })
parentPort!.postMessage({ url: sup.url })
parentPort!.once('message', () => {
  sup.close().then(() => parentPort!.close())
})
