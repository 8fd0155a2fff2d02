import { parentPort, workerData } from 'node:worker_threads'
import { startIndexSupervisor } from '../../test/_helpers/startIndexSupervisor.js'

/**
 * The supervisor of the sweep bench: its JSON-RPC methods over the bench's index file, on its
 * own thread, so its request handling does not count as the sweep's main-thread event-loop delay
 * (a supervisor is another service in production). Posts its URL; closes on 'close'.
 */
const { path } = workerData as { path: string }
const sup = await startIndexSupervisor(path)
parentPort!.postMessage({ url: sup.url })
parentPort!.once('message', () => {
  sup.close().then(() => parentPort!.close())
})
