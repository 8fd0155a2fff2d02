import { parentPort, workerData } from 'node:worker_threads'
import { quickCheckFile } from '../src/logindex/openIndex.js'

// The start-up quick_check of a large index, off the main thread: it reads every page (~1.4 ms/MB
// warm here, 113 s for a 5.7 GB 100M-log index at load 59) while the supervisor already serves.
parentPort!.postMessage(quickCheckFile((workerData as { path: string }).path) ?? null)
