import { RpcCode } from '../errors/index.js'
import { type Access, accessFor, EXPIRY_WINDOW_S, encodeAccess, type Hex, payloadHash } from '../interop/index.js'
import { keccak256 } from '../util/keccak.js'
import { seededRandom } from '../util/seededRandom.js'
import type { HarvestedChain, HarvestedLog } from './harvest.js'
import { type Mix, planCases } from './mix.js'
import type { WireRequest } from './protocol.js'
import { type Expected, judgeJsonRpc, type Workload } from './workload.js'

/**
 * The expected answer of each checker case, as op-supervisor and superguard's check engine give it
 * (src/check/checkAccesses.ts): timing first, then chains, then the head, then the log.
 */
export const CHECKER_EXPECT: Record<string, string> = {
  valid: 'null',
  // the checksum of another payload at a real log's place
  forged: String(RpcCode.ConflictingData),
  // executed one second after the 7-day window closed
  expired: String(RpcCode.ConflictingData),
  // executed at the initiating block's own timestamp: access lists never allow it
  'same-timestamp': String(RpcCode.ConflictingData),
  // initiating chain outside the dependency set
  'unknown-chain': String(RpcCode.UnknownChain),
  // a block a million beyond the chain's head: op-interop-filter's "not yet ingested"
  future: String(RpcCode.OutOfScope),
}

/** A chain id no dependency set holds (2^32 − 5, a prime nobody registers). */
const UNKNOWN_CHAIN = 4_294_967_291n
const FUTURE_BLOCKS = 1_000_000n

export type CheckerInput = {
  chains: HarvestedChain[]
  /** The executing chain. */
  chainId: bigint
  method: string
  minSafety: string
  mix: Mix
  batch: number
  bodies: number
}

type Message = { log: HarvestedLog; payloadHash: Uint8Array; head: bigint }

/**
 * `bodies` requests of `batch` interop_checkAccessList calls each, cases in the mix's proportions,
 * each executing a harvested log (round robin over every chain's logs) on `chainId`.
 */
export function checkerWorkload(input: CheckerInput): Workload {
  const messages: Message[] = []
  const perChain = input.chains.map((c) => c.logs.map((log) => ({ log, payloadHash: payloadHash(log), head: c.head })))
  // interleave the chains so every stretch of bodies reads all of them
  for (let i = 0; messages.length < perChain.reduce((n, l) => n + l.length, 0); i++)
    for (const list of perChain) if (i < list.length) messages.push(list[i]!)
  const execHead =
    input.chains.find((c) => c.chainId === input.chainId)?.headTimestamp ?? BigInt(Math.floor(Date.now() / 1000))
  const cases = planCases(input.mix, input.bodies * input.batch)
  const random = seededRandom(7)
  const requests: WireRequest[] = []
  const expected: Expected[] = []
  for (let b = 0; b < input.bodies; b++) {
    const calls: unknown[] = []
    const exp: Expected = { cases: [], expect: [] }
    for (let k = 0; k < input.batch; k++) {
      const n = b * input.batch + k
      const kase = cases[n]!
      const m = messages[n % messages.length]!
      const { access, execTs } = buildCase(kase, m, execHead, random)
      calls.push({
        jsonrpc: '2.0',
        id: input.batch === 1 ? n + 1 : k + 1,
        method: input.method,
        params: [
          encodeAccess(access),
          input.minSafety,
          { chainID: `0x${input.chainId.toString(16)}`, timestamp: hex(execTs), timeout: '0x0' },
        ],
      })
      exp.cases.push(kase)
      exp.expect.push(CHECKER_EXPECT[kase]!)
    }
    requests.push({ body: JSON.stringify(input.batch === 1 ? calls[0] : calls) })
    expected.push(exp)
  }
  return {
    method: input.method,
    mix: Object.fromEntries(input.mix),
    batch: input.batch,
    first: { requests, expected },
    partition: false,
    judge: (body, exp) => judgeJsonRpc(body, exp),
  }
}

/** The access and executing timestamp of one case built on a real log. */
function buildCase(
  kase: string,
  m: Message,
  execHead: bigint,
  random: () => number,
): { access: Access; execTs: bigint } {
  const { log } = m
  const id = {
    origin: log.origin,
    blockNumber: log.blockNumber,
    logIndex: log.logIndex,
    timestamp: log.timestamp,
    chainId: log.chainId,
  }
  // executed now (the executing chain's head time), or just after the log when its chain runs ahead
  const execTs = execHead > log.timestamp ? execHead : log.timestamp + 1n
  switch (kase) {
    case 'forged': {
      const other = keccak256(new Uint8Array([...m.payloadHash, Math.floor(random() * 256)]))
      return { access: accessFor(id, other), execTs }
    }
    case 'expired':
      return { access: accessFor(id, m.payloadHash), execTs: log.timestamp + EXPIRY_WINDOW_S + 1n }
    case 'same-timestamp':
      return { access: accessFor(id, m.payloadHash), execTs: log.timestamp }
    case 'unknown-chain':
      return { access: accessFor({ ...id, chainId: UNKNOWN_CHAIN }, m.payloadHash), execTs }
    case 'future':
      return { access: accessFor({ ...id, blockNumber: m.head + FUTURE_BLOCKS, logIndex: 0 }, m.payloadHash), execTs }
    default:
      return { access: accessFor(id, m.payloadHash), execTs }
  }
}

const hex = (n: bigint): Hex => `0x${n.toString(16)}`
