import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { AnswerBatch, WorkerCommand, WorkerJob, WorkerMessage } from './protocol.js'
import { Tally } from './tally.js'
import type { Expected, Generation, Workload } from './workload.js'

export const LOADTEST_WORKER = fileURLToPath(new URL('../../workers/loadtest.js', import.meta.url))

export type LoadShape = {
  url: string
  connections: number
  pipelining: number
  durationMs: number
  warmupMs: number
  rate: number | undefined
  timeoutMs: number
}

export type Progress = (tally: Tally, elapsedS: number) => void

/**
 * Runs one load: autocannon on a worker thread with the workload's requests; every answer it ships
 * is judged here. Resolves the tally once the load has stopped and every answer is counted.
 */
export async function runLoad(
  workload: Workload,
  shape: LoadShape,
  opts: { progress?: Progress; progressEveryMs?: number } = {},
): Promise<{ tally: Tally; measuredS: number }> {
  const generations: Expected[][] = [workload.first.expected]
  const tally = new Tally(shape.warmupMs, workload.judge)
  const job: WorkerJob = {
    url: shape.url,
    requests: workload.first.requests,
    connections: shape.connections,
    pipelining: shape.pipelining,
    durationS: Math.ceil((shape.durationMs + shape.warmupMs) / 1000),
    rate: shape.rate,
    timeoutS: shape.timeoutMs / 1000,
    partition: workload.partition,
    flushMs: 100,
  }
  const worker = new Worker(LOADTEST_WORKER, { workerData: job })
  const send = (cmd: WorkerCommand) => worker.postMessage(cmd)
  const stopLive = workload.live?.((g: Generation) => {
    generations.push(g.expected)
    send({ type: 'requests', generation: generations.length - 1, requests: g.requests })
  })
  let lastProgress = 0
  const every = opts.progressEveryMs ?? 1000
  try {
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'answers') {
          tally.add(m as AnswerBatch, (g, i) => generations[g]?.[i])
          if (opts.progress && m.nowMs - lastProgress >= every && m.nowMs >= shape.warmupMs) {
            lastProgress = m.nowMs
            opts.progress(tally, (m.nowMs - shape.warmupMs) / 1000)
          }
        } else if (m.type === 'done') resolve()
        else reject(new Error(`load generator failed: ${m.message}`))
      })
      worker.on('error', reject)
      worker.on('exit', (code) => reject(new Error(`load generator exited (${code}) before it was done`)))
    })
  } finally {
    await stopLive?.()
    await worker.terminate()
  }
  return { tally, measuredS: Math.max(0.001, (tally.nowMs - shape.warmupMs) / 1000) }
}
