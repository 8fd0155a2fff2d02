import { LOG_LEVELS } from '../util/logger.js'
import { defineOptions } from './options.js'

/**
 * Time and connection limits every HTTP listener takes (defaults and why: src/rpc/listenerLimits.ts);
 * roles spread these into their own spec (the sequencer's three listeners share them).
 */
export const listenerLimitOptions = defineOptions({
  requestTimeout: {
    type: 'duration',
    default: '10s',
    min: 100,
    help: 'a request (headers and body) must arrive within this (HTTP 408 after); an answer the client leaves unread this long closes the connection. Never limits how long a call runs',
  },
  headersTimeout: {
    type: 'duration',
    default: '5s',
    min: 100,
    help: 'request headers must arrive within this (at most --request-timeout)',
  },
  keepAliveTimeout: {
    type: 'duration',
    default: '95s',
    min: 1,
    help: "an idle keep-alive connection is closed after this (above Go clients' 90 s idle pool)",
  },
  maxConnections: {
    type: 'int',
    default: 8192,
    min: 1,
    arg: 'N',
    help: 'connections open at once per listener; more are closed on accept (counted); keep listeners × N under ulimit -n',
  },
})

/** The response cap of a JSON-RPC listener (batches keep the items that fit, the rest answer -32020). */
export const responseLimitOptions = defineOptions({
  maxResponseBytes: {
    type: 'int',
    default: 8 * 1024 * 1024,
    min: 64 * 1024,
    arg: 'BYTES',
    help: 'largest JSON-RPC answer: a larger single answer is -32020; a batch keeps the items that fit, -32020 for each later one',
  },
})

/** Options every listening role has; roles spread these into their own spec and override defaults. */
export const listenOptions = defineOptions({
  host: { type: 'string', default: '127.0.0.1', help: 'address to listen on' },
  logLevel: { type: 'enum', choices: LOG_LEVELS, default: 'info', help: 'log level' },
  ...listenerLimitOptions,
  ...responseLimitOptions,
})
