import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import Fastify from 'fastify'

/** What the double answers: a JSON-RPC result/error, or a bare HTTP status with a non-JSON body. */
export type DoubleAnswer = { result: unknown } | { error: { code: number; message: string } } | { httpStatus: number }

export const VALID: DoubleAnswer = { result: null }
export const CONFLICT: DoubleAnswer = { error: { code: -320600, message: 'conflicting data' } }
export const FAILSAFE: DoubleAnswer = {
  error: { code: -320602, message: 'failsafe is enabled, rejecting all CheckAccessList requests' },
}
export const FUTURE: DoubleAnswer = { error: { code: -321401, message: 'future data' } }
export const HTTP_500: DoubleAnswer = { httpStatus: 500 }

export type SupervisorDouble = {
  url: string
  /** interop_checkAccessList / supervisor_checkAccessList calls received (batch items count one each). */
  calls: number
  /** Params of the last call. */
  lastParams: unknown[] | undefined
  /** HTTP requests received (a batch is one). */
  requests: number
  /** A fixed answer, or one chosen from the call's params. */
  answer: DoubleAnswer | ((params: unknown[]) => DoubleAnswer)
  /** What admin_getFailsafeEnabled answers (polled by the ingress every second; not counted in calls/requests, never held). */
  failsafe: boolean
  /** admin_getFailsafeEnabled polls received. */
  failsafePolls: number
  /** Holds every answer until the returned function is called (to order answers without timers). */
  hold(): () => void
  close(): Promise<void>
}

/**
 * A stand-in supervisor for strategy tests: answers checkAccessList with a configurable
 * verdict, counts calls, can hold its answers. Everything else is -32601.
 */
export async function startSupervisorDouble(answer: DoubleAnswer = VALID): Promise<SupervisorDouble> {
  const app = Fastify({ logger: false, forceCloseConnections: true })
  let held: Promise<void> | undefined
  const self: SupervisorDouble = {
    url: '',
    calls: 0,
    requests: 0,
    lastParams: undefined,
    answer,
    failsafe: false,
    failsafePolls: 0,
    hold() {
      let release!: () => void
      held = new Promise<void>((r) => {
        release = r
      })
      return () => {
        held = undefined
        release()
      }
    },
    close: () => app.close(),
  }
  const one = (req: { id?: unknown; method?: unknown; params?: unknown }): Record<string, unknown> | number => {
    if (req.method !== 'interop_checkAccessList' && req.method !== 'supervisor_checkAccessList') {
      return { jsonrpc: '2.0', id: req.id ?? null, error: { code: -32601, message: 'method not found' } }
    }
    self.calls++
    self.lastParams = Array.isArray(req.params) ? req.params : undefined
    const a = typeof self.answer === 'function' ? self.answer(self.lastParams ?? []) : self.answer
    if ('httpStatus' in a) return a.httpStatus
    return { jsonrpc: '2.0', id: req.id ?? null, ...a }
  }
  app.post('/', async (req, reply) => {
    const poll = req.body as { id?: unknown; method?: unknown }
    if (!Array.isArray(poll) && poll?.method === 'admin_getFailsafeEnabled') {
      self.failsafePolls++
      return reply.send({ jsonrpc: '2.0', id: poll.id ?? null, result: self.failsafe })
    }
    self.requests++
    if (held) await held
    const body = req.body as unknown
    const out = Array.isArray(body)
      ? body.map((r) => one(r as Record<string, unknown>))
      : one(body as Record<string, unknown>)
    const status =
      typeof out === 'number'
        ? out
        : Array.isArray(out)
          ? out.find((o): o is number => typeof o === 'number')
          : undefined
    if (status !== undefined) return reply.code(status).type('text/plain').send('supervisor double: forced failure')
    return reply.send(out)
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  self.url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  return self
}

/** A URL on 127.0.0.1 where nothing listens (connection refused): a supervisor that is down. */
export async function deadUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}
