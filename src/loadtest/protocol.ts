/**
 * Messages between the load generator's main thread (requests built, answers checked) and
 * workers/loadtest.js (autocannon alone on its thread). Everything here survives structured clone.
 */

export type WireRequest = { method?: string; path?: string; headers?: Record<string, string>; body: string }

export type WorkerJob = {
  url: string
  requests: WireRequest[]
  connections: number
  pipelining: number
  /** Seconds of load in all (warm-up included). */
  durationS: number
  /** Overall requests/s, or undefined for a closed loop. */
  rate: number | undefined
  timeoutS: number
  /**
   * Each connection sends its own slice of the requests once and then stops (signed transactions,
   * one-off submissions: nothing may be sent twice); otherwise every connection cycles through all of
   * them from its own starting point.
   */
  partition: boolean
  /** Answers are shipped to the main thread this often (ms). */
  flushMs: number
}

/** Main → worker after start: new requests (a new job), numbered `generation`. */
export type WorkerCommand = { type: 'requests'; generation: number; requests: WireRequest[] } | { type: 'stop' }

/** Answers since the last flush, one entry per answered request, in arrival order. */
export type AnswerBatch = {
  type: 'answers'
  /** Index of the request in its generation's list. */
  index: Int32Array
  generation: Uint16Array
  status: Uint16Array
  latencyMs: Float64Array
  /** Milliseconds since the load started, when the answer completed. */
  atMs: Float64Array
  bodies: string[]
  /** Requests written since the last flush. */
  sent: number
  /** Connection errors and timeouts since the last flush. */
  errors: number
  timeouts: number
  /** One example of the connection errors, for the set-up failure message. */
  errorText: string | undefined
  /** Milliseconds since the load started, at this flush. */
  nowMs: number
}

export type WorkerMessage = AnswerBatch | { type: 'done' } | { type: 'failed'; message: string }
