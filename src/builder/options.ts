import { listenerLimitOptions, responseLimitOptions } from '../config/common.js'
import { type ConfigOf, defineOptions, defineSpec, type InputOf, type LoadInput, loadConfig } from '../config/index.js'
import { parseEndpoint, parseListen } from '../rpc/endpoint.js'
import { readJwtSecret } from '../rpc/jwt.js'
import { LOG_LEVELS } from '../util/logger.js'

/** `superguard builder` options. */
export const builderOptions = defineOptions({
  listen: {
    type: 'string',
    default: '127.0.0.1:8560',
    arg: 'HOST:PORT',
    help: 'listener: eth_sendRawTransaction (open), builder_startBuilding / builder_deadline (JWT), /healthz, /metrics',
  },
  sequencer: { type: 'string', required: true, arg: 'URL', help: "the sequencer's builder listener (pbs_submitBlock)" },
  jwtSecret: {
    type: 'path',
    required: true,
    arg: 'FILE',
    help: 'secret shared with the sequencer (its --builder URL,jwt=FILE): signs submissions, checks announcements',
  },
  engine: {
    type: 'string',
    required: true,
    arg: 'URL[,jwt=FILE]',
    help: 'paired engine-sim that follows the chain (parent headers, included transactions)',
  },
  resubmitInterval: {
    type: 'duration',
    default: '100ms',
    help: 'rebuild and resubmit at most this often while the mempool changes',
  },
  submitMarginMs: { type: 'int', default: 25, min: 0, help: 'stop submitting this long before the deadline' },
  checkInterop: {
    type: 'string',
    arg: 'URL',
    help: 'supervisor: check interop transactions (cross-unsafe, timeout 0, one batch per build) before including them',
  },
  chainId: {
    type: 'int',
    min: 1,
    help: "chain id for the interop executing descriptor and tx checks (default: the engine's eth_chainId)",
  },
  failureLogInterval: {
    type: 'duration',
    default: '10s',
    help: 'repeated failures (engine, supervisor, missed jobs) log once per this interval, with a count',
  },
  mempoolSize: { type: 'int', default: 10_000, min: 1, help: 'most transactions the mempool holds' },
  logLevel: { type: 'enum', choices: LOG_LEVELS, default: 'info', help: 'log level' },
  ...listenerLimitOptions,
  ...responseLimitOptions,
})

export type BuilderConfig = ConfigOf<typeof builderOptions>
/** What startBuilder takes: sequencer, jwtSecret and engine, and any other options (defaults apply). */
export type BuilderInput = InputOf<typeof builderOptions>

export const builderSpec = defineSpec({
  role: 'builder',
  envPrefix: 'SUPERGUARD_BUILDER_',
  options: builderOptions,
  /** The secret file reads and the URLs parse, so a mistake fails at start with the others. */
  check(c) {
    const p: string[] = []
    const attempt = (fn: () => unknown, flag?: string) => {
      try {
        fn()
      } catch (err) {
        p.push(flag === undefined ? (err as Error).message : `${flag}: ${(err as Error).message}`)
      }
    }
    if (c.jwtSecret !== undefined) attempt(() => readJwtSecret(c.jwtSecret), '--jwt-secret')
    if (c.engine !== undefined) attempt(() => parseEndpoint(c.engine, '--engine'))
    for (const [flag, url] of [
      ['--sequencer', c.sequencer],
      ['--check-interop', c.checkInterop],
    ] as const) {
      if (url !== undefined) attempt(() => parseEndpoint(url, flag))
    }
    attempt(() => parseListen(c.listen, '--listen'))
    return p
  },
})

/** The builder's config from argv/env (as the CLI does) or a library caller's values. */
export function builderConfig(input: LoadInput<typeof builderOptions>): BuilderConfig {
  return loadConfig(builderSpec, input).config
}
