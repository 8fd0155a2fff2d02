import { parentPort, workerData } from 'node:worker_threads'
import autocannon from 'autocannon'
import type { AnswerBatch, WireRequest, WorkerCommand, WorkerJob, WorkerMessage } from '../src/loadtest/protocol.js'

// The load generator's HTTP side: autocannon alone on this thread. Each answer is kept (request
// index, status, latency, body) and shipped to the main thread every `flushMs`, which checks it:
// nothing here parses a body, so a slow check never delays a request.

type Client = {
  /** autocannon 9's per-connection request list; set directly, as its setRequests refuses when pipelining > 1. */
  requestIterator: { setRequests(requests: unknown[]): void }
  on(event: 'request' | 'connError' | 'timeout', listener: (err?: Error) => void): void
  on(event: 'response', listener: (status: number, bytes: number, ms: number) => void): void
  setRequests(requests: unknown[]): void
}
type Req = WireRequest & { onResponse: (status: number, body: string) => void }

const job = workerData as WorkerJob
const port = parentPort!
/** The load's time origin: autocannon's 'start' (after every connection is set up), as its --duration. */
let started = performance.now()
const since = () => Math.max(0, performance.now() - started)

let index: number[] = []
let generation: number[] = []
let status: number[] = []
let latency: number[] = []
let at: number[] = []
let bodies: string[] = []
let sent = 0
let errors = 0
let timeouts = 0
let errorText: string | undefined
let currentGeneration = 0
/** onResponse (request known, body) runs just before the client's 'response' event (latency): paired here. */
let pending: { index: number; generation: number; body: string } | undefined

function wrap(list: readonly WireRequest[], gen: number, offset = 0): Req[] {
  return list.map((r, i) => ({
    method: r.method ?? 'POST',
    path: r.path ?? defaultPath,
    headers: r.headers ?? { 'content-type': 'application/json' },
    body: r.body,
    onResponse: (_status: number, body: string) => {
      pending = { index: i + offset, generation: gen, body }
    },
  }))
}

// a target URL's own path (http://host/rpc) is where the requests go
const target = new URL(job.url)
const defaultPath = `${target.pathname}${target.search}`
let requests = wrap(job.requests, 0)
const clients: Client[] = []

/**
 * The requests of connection n: its own share of the list (each request once, partitioned; or cycled,
 * all connections together carrying the whole list). Building only a share keeps set-up at one
 * request buffer per request: autocannon builds (and deep-clones) its whole list per connection,
 * 2,000 bodies × 50 connections took 3-10 s before the first request here.
 */
function slice(n: number): Req[] {
  if (!job.partition && requests.length < job.connections) return [requests[n % requests.length]!]
  const from = Math.floor((requests.length * n) / job.connections)
  const to = Math.floor((requests.length * (n + 1)) / job.connections)
  return requests.slice(from, Math.max(to, from + 1))
}

function setupClient(client: Client): void {
  const n = clients.length
  clients.push(client)
  // nothing is in flight yet (setupClient runs before the connection opens)
  client.requestIterator.setRequests(slice(n))
  client.on('request', () => {
    sent++
  })
  client.on('connError', (err) => {
    errors++
    errorText ??= err?.message
  })
  client.on('timeout', () => {
    timeouts++
  })
  client.on('response', (st, _bytes, ms) => {
    const p = pending
    pending = undefined
    if (p === undefined) return
    index.push(p.index)
    generation.push(p.generation)
    status.push(st)
    latency.push(ms)
    at.push(since())
    bodies.push(p.body)
  })
}

function flush(): void {
  const batch: AnswerBatch = {
    type: 'answers',
    index: Int32Array.from(index),
    generation: Uint16Array.from(generation),
    status: Uint16Array.from(status),
    latencyMs: Float64Array.from(latency),
    atMs: Float64Array.from(at),
    bodies,
    sent,
    errors,
    timeouts,
    errorText,
    nowMs: since(),
  }
  index = []
  generation = []
  status = []
  latency = []
  at = []
  bodies = []
  sent = 0
  errors = 0
  timeouts = 0
  errorText = undefined
  port.postMessage(batch, [
    batch.index.buffer,
    batch.generation.buffer,
    batch.status.buffer,
    batch.latencyMs.buffer,
    batch.atMs.buffer,
  ] as ArrayBuffer[])
}

const timer = setInterval(flush, job.flushMs)
const perConnection = job.partition ? Math.ceil(requests.length / job.connections) : undefined

// bench/autocannon.d.ts types the promise form only; the callback form returns the instance (stop()).
const run = autocannon as unknown as (
  opts: object,
  done: (err: Error | null) => void,
) => { stop(): void; on(event: 'start', listener: () => void): void }
const instance = run(
  {
    url: job.url,
    connections: job.connections,
    pipelining: job.pipelining,
    duration: job.durationS,
    timeout: job.timeoutS,
    // one placeholder: each connection's own share is set in setupClient
    requests: requests.slice(0, 1),
    setupClient,
    ...(job.rate === undefined ? {} : { overallRate: job.rate }),
    ...(perConnection === undefined ? {} : { maxConnectionRequests: perConnection }),
    // our own checks read the bodies; autocannon's summary is not used
    skipAggregateResult: true,
    // autocannon acts on its stop flag at its sampling tick: 100 ms, not 1 s, past --duration
    sampleInt: 100,
  },
  (err) => {
    clearInterval(timer)
    flush()
    port.postMessage((err ? { type: 'failed', message: err.message } : { type: 'done' }) satisfies WorkerMessage)
  },
)

instance.on('start', () => {
  started = performance.now()
})

port.on('message', (cmd: WorkerCommand) => {
  if (cmd.type === 'stop') instance.stop()
  else {
    currentGeneration = cmd.generation
    requests = wrap(cmd.requests, currentGeneration)
    // a new job's requests: autocannon refuses to swap a pipelined connection's list mid-flight
    if (job.pipelining === 1)
      clients.forEach((c, n) => {
        c.setRequests(slice(n))
      })
  }
})
