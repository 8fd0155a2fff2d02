import { type ConfigOf, defineSpec, type InputOf, loadConfig } from '../config/index.js'
import { SAFETY_LEVELS } from '../interop/index.js'
import { parseDuration } from '../util/duration.js'
import { parseExpectations } from './expect.js'
import { DEFAULT_MIX, parseMix } from './mix.js'

export const LOADTEST_KINDS = ['checker', 'ingress', 'builder'] as const
export type LoadtestKind = (typeof LOADTEST_KINDS)[number]

/**
 * `superguard loadtest <kind>`: one spec for the CLI, `SUPERGUARD_LOADTEST_*`, a config file,
 * scenario steps and `runLoadtest({...})`. The kind is the first positional on the CLI.
 */
export const loadtestSpec = defineSpec({
  role: 'loadtest',
  envPrefix: 'SUPERGUARD_LOADTEST_',
  options: {
    kind: { type: 'enum', choices: LOADTEST_KINDS, required: true, help: 'what to load: checker, ingress or builder' },
    target: { type: 'string', required: true, arg: 'URL', help: 'the endpoint under test' },
    rpc: {
      type: 'strings',
      default: [],
      arg: '[CHAINID=]URL',
      help: 'checker: each chain to harvest initiating logs from; ingress: the chain it sends to first, then chains to harvest; builder: the chain (parent headers)',
    },
    method: {
      type: 'string',
      default: 'interop_checkAccessList',
      help: 'checker: JSON-RPC method (supervisor_checkAccessList for older peers)',
    },
    mix: {
      type: 'string',
      arg: 'CASE=WEIGHT,...',
      help: `share of each case (checker: ${DEFAULT_MIX.checker}; ingress: ${DEFAULT_MIX.ingress}; builder: ${DEFAULT_MIX.builder})`,
    },
    chainId: { type: 'chainId', help: 'checker: the executing chain (default: the first --rpc chain)' },
    minSafety: {
      type: 'enum',
      choices: SAFETY_LEVELS,
      default: 'unsafe',
      help: 'checker: minimum safety asked for; messages are harvested from blocks at that level',
    },
    batch: { type: 'int', default: 1, min: 1, max: 1000, arg: 'N', help: 'checker: JSON-RPC calls per request' },
    blocks: {
      type: 'int',
      default: 1000,
      min: 1,
      arg: 'N',
      help: 'how many recent blocks of each chain to harvest logs from',
    },
    messages: { type: 'int', default: 2000, min: 1, arg: 'N', help: 'at most this many harvested logs per chain' },
    bodies: {
      type: 'int',
      default: 2000,
      min: 1,
      arg: 'N',
      help: 'checker: distinct request bodies, sent in rotation; ingress: transactions signed in advance for a closed loop, each sent once (with --rate: rate × duration)',
    },
    duration: { type: 'duration', default: '10s', min: 1000, help: 'how long to load (after --warmup)' },
    connections: { type: 'int', default: 10, min: 1, max: 10_000, arg: 'N', help: 'concurrent connections' },
    pipelining: { type: 'int', default: 1, min: 1, max: 100, arg: 'N', help: 'requests in flight per connection' },
    rate: {
      type: 'int',
      min: 1,
      arg: 'REQ/S',
      help: 'fixed arrival rate over all connections (latency corrected for coordinated omission); without it a closed loop',
    },
    warmup: { type: 'duration', default: '0s', help: 'load this long first, not counted' },
    timeout: {
      type: 'duration',
      default: '10s',
      min: 100,
      help: 'per request, and for every set-up step (harvest, first answer): an unreachable target fails within it',
    },
    json: { type: 'path', arg: 'FILE', help: 'write the result as JSON (schema in the README)' },
    report: { type: 'path', arg: 'FILE', help: 'write a self-contained HTML report' },
    expect: {
      type: 'strings',
      default: [],
      arg: 'EXPR',
      help: 'a condition the run must meet, else exit 1: wrong=0, p99<50ms, rps>5000, errors=0, timeouts=0 (also p50, p90, max, checks)',
    },
    keyFile: { type: 'path', arg: 'FILE', help: 'ingress: hex private key of a funded account on the --rpc chain' },
    senders: {
      type: 'int',
      default: 50,
      min: 1,
      max: 10_000,
      arg: 'N',
      help: 'ingress: accounts funded from --key-file',
    },
    jwtSecret: { type: 'path', arg: 'FILE', help: "builder: the builder API's JWT secret (hex)" },
    debug: {
      type: 'string',
      arg: 'URL',
      help: "builder: the sequencer's debug listener, for its seal timing (/metrics)",
    },
    progress: {
      type: 'enum',
      choices: ['auto', 'tty', 'log', 'off'],
      default: 'auto',
      help: 'live line on a terminal, a log line every 5 s otherwise (auto), or force one',
    },
  },
  check(c) {
    const problems: string[] = []
    if (c.target !== undefined && !/^https?:\/\/[^/\s]+/.test(c.target))
      problems.push(`--target: expected an http(s) URL, got ${JSON.stringify(c.target)}`)
    if (c.kind !== undefined) {
      try {
        parseMix(c.kind, c.mix)
      } catch (err) {
        problems.push(`--mix: ${(err as Error).message}`)
      }
    }
    try {
      parseExpectations(c.expect ?? [])
    } catch (err) {
      problems.push(`--expect: ${(err as Error).message}`)
    }
    if (c.kind === 'checker' && (c.rpc ?? []).length === 0)
      problems.push('checker needs --rpc [CHAINID=]URL of each chain to harvest initiating logs from')
    if (c.kind === 'ingress') {
      if ((c.rpc ?? []).length === 0)
        problems.push(
          'ingress needs --rpc URL: the chain it sends to (more --rpc: other chains to harvest messages from)',
        )
      if (c.keyFile === undefined) problems.push('ingress needs --key-file FILE (a funded private key)')
      if ((c.batch ?? 1) !== 1) problems.push('--batch is for the checker kind')
    }
    if (c.kind === 'builder') {
      if (c.jwtSecret === undefined) problems.push('builder needs --jwt-secret FILE')
      if ((c.rpc ?? []).length !== 1)
        problems.push(
          "builder needs one --rpc URL: the chain's eth_ RPC (an engine or replica), for each job's parent header",
        )
      if ((c.pipelining ?? 1) !== 1) problems.push('builder: --pipelining must be 1')
    }
    if (c.kind === 'ingress' && (c.pipelining ?? 1) !== 1) problems.push('ingress: --pipelining must be 1')
    if (c.rate !== undefined && (c.pipelining ?? 1) !== 1) problems.push('--rate needs --pipelining 1')
    for (const r of c.rpc ?? [])
      if (!/^(\d+=)?https?:\/\/\S+$/.test(r)) problems.push(`--rpc: expected [CHAINID=]URL, got ${JSON.stringify(r)}`)
    if (c.debug !== undefined && !/^https?:\/\/\S+$/.test(c.debug))
      problems.push(`--debug: expected an http(s) URL, got ${JSON.stringify(c.debug)}`)
    return problems
  },
})

export type LoadtestConfig = ConfigOf<typeof loadtestSpec.options>
export type LoadtestInput = InputOf<typeof loadtestSpec.options>

/** A library caller's options, checked exactly as the same flags (a mistake is the CLI's ConfigError). */
export function loadtestConfig(values: LoadtestInput | LoadtestConfig): LoadtestConfig {
  return loadConfig(loadtestSpec, { values: values as LoadtestInput }).config
}

/** Milliseconds of a duration option given in either form (scenario steps override with '2s' or 2000). */
export const durationMs = (v: number | string): number => parseDuration(v)
