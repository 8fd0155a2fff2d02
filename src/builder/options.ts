import { listenerLimitOptions, responseLimitOptions } from '../config/common.js'
import { defineOptions, type ConfigOf } from '../config/index.js'
import { LOG_LEVELS } from '../util/logger.js'

/** `superguard builder` options. */
export const builderOptions = defineOptions({
  listen: { type: 'string', default: '127.0.0.1:8560', arg: 'HOST:PORT', help: 'listener: eth_sendRawTransaction (open), builder_startBuilding / builder_deadline (JWT), /healthz, /metrics' },
  sequencer: { type: 'string', arg: 'URL', help: "the sequencer's builder listener (pbs_submitBlock); required" },
  jwtSecret: { type: 'path', arg: 'FILE', help: 'secret shared with the sequencer (its --builder URL,jwt=FILE): signs submissions, checks announcements; required' },
  engine: { type: 'string', arg: 'URL[,jwt=FILE]', help: 'paired engine-sim that follows the chain (parent headers, included transactions); required' },
  resubmitInterval: { type: 'duration', default: '100ms', help: 'rebuild and resubmit at most this often while the mempool changes' },
  submitMarginMs: { type: 'int', default: 25, min: 0, help: 'stop submitting this long before the deadline' },
  checkInterop: { type: 'string', arg: 'URL', help: 'supervisor: check interop transactions (cross-unsafe, timeout 0, one batch per build) before including them' },
  chainId: { type: 'int', min: 1, help: "chain id for the interop executing descriptor and tx checks (default: the engine's eth_chainId)" },
  failureLogInterval: { type: 'duration', default: '10s', help: 'repeated failures (engine, supervisor, missed jobs) log once per this interval, with a count' },
  mempoolSize: { type: 'int', default: 10_000, min: 1, help: 'most transactions the mempool holds' },
  logLevel: { type: 'enum', choices: LOG_LEVELS, default: 'info', help: 'log level' },
  ...listenerLimitOptions,
  ...responseLimitOptions,
})

export type BuilderConfig = ConfigOf<typeof builderOptions>
