import type { Registry } from 'prom-client'
import { FailsafePoller } from '../rpc/index.js'
import type { Logger } from '../util/logger.js'

export type FailsafeGateOptions = {
  intervalMs: number
  timeoutMs: number
  log: Logger
  registry?: Registry | undefined
}

/** The ingress's view of the cluster failsafe: while on, interop transactions are refused -320602 before any check. */
export class FailsafeGate extends FailsafePoller {
  constructor(urls: readonly string[], opts: FailsafeGateOptions) {
    super(urls, {
      ...opts,
      metricName: 'superguard_ingress_failsafe_enabled',
      onMessage: 'failsafe on at a supervisor: refusing interop transactions',
    })
  }
}
