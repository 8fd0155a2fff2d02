import { createPublicClient, http, keccak256 } from 'viem'
import { generatePrivateKey } from 'viem/accounts'
import { EXECUTING_MESSAGE_TOPIC, EXPIRY_WINDOW_S, type Hex, payloadHash } from '../interop/index.js'
import type { Indexer } from '../logindex/index.js'
import { RemoteRpcError, type RpcClient } from '../rpc/index.js'
import { bytesToHex } from '../util/hex.js'
import type { DevnetChain, Receipt } from './chain.js'
import { EMITTER_ADDRESS, INBOX_ADDRESS } from './contracts.js'
import {
  accessListEntries,
  type DevChain,
  DevSigner,
  emitterCalldata,
  type InitiatingMessage,
  signExecuting,
} from './messages.js'
import { type DevnetStats, keep } from './stats.js'

/** Next nonce per chain and sender, tracked here from 0 (fresh chains): a nonce is used once its transaction is accepted. */
export class Nonces {
  readonly #next = new Map<string, number>()

  peek(chainId: bigint, signer: DevSigner): number {
    return this.#next.get(`${chainId}:${signer.account.address}`) ?? 0
  }

  use(chainId: bigint, signer: DevSigner): void {
    this.#next.set(`${chainId}:${signer.account.address}`, this.peek(chainId, signer) + 1)
  }

  /**
   * After a failed round (a transaction accepted but never sealed, say): the next nonces as the
   * engines count them (`pending`: the state nonce plus the pool's consecutive transactions, as geth).
   */
  async resync(entries: readonly { chain: DevnetChain; signer: DevSigner }[]): Promise<void> {
    for (const { chain, signer } of entries) {
      const n = await chain.rpc.call<Hex>('eth_getTransactionCount', [signer.account.address, 'pending'])
      this.#next.set(`${chain.chainId}:${signer.account.address}`, Number(BigInt(n)))
    }
  }
}

export type TrafficDeps = {
  /** [901, 902]. */
  chains: readonly [DevnetChain, DevnetChain]
  /** Dev account 0: initiating and executing messages on both chains. */
  signer: DevSigner
  nonces: Nonces
  /** The index-backend supervisor, asked directly. */
  supervisor: RpcClient
  /** Both index supervisors: the ingresses' quorum is 2 of 3, so a message is sent once both have it. */
  indexers: readonly Indexer[]
  /** Signs the transactions the ingress must refuse (they never reach a chain, so no nonce is used up). */
  forger: DevSigner
  /**
   * Dev account 1: on 901 it funds the throwaway account of each reorged-away message; on 902 it
   * signs their executing transactions from nonce 1 up (its nonce 0 is never used, so they stay queued).
   */
  stranded: { signer: DevSigner; nonce: number }
  reorgEvery: number
  stats: DevnetStats
  print: (line: string) => void
}

/** The DevChain shape messages.ts signs for (the viem client is only read when no nonce is given). */
export function devChain(c: DevnetChain): DevChain {
  return { url: c.url, chainId: c.chainId, client: createPublicClient({ transport: http(c.url, { retryCount: 0 }) }) }
}

const devChains = new WeakMap<DevnetChain, DevChain>()
const dc = (c: DevnetChain) => {
  let d = devChains.get(c)
  if (!d) devChains.set(c, (d = devChain(c)))
  return d
}

/**
 * One round of generated traffic: emit an initiating message on one chain (through its ingress,
 * so its builders see it too), wait until the supervisor has indexed it, check it (it must pass)
 * and a forged copy (it must be refused), then execute it on the other chain through that chain's
 * ingress and follow the transaction around the loop: sealed in a block (by a builder or the
 * engine), its ExecutingMessage log indexed by the supervisor, its block cross-unsafe, the check
 * of its access list answering null. Toward 902 a bad transaction goes first, which the ingress
 * must refuse.
 */
export async function trafficRound(deps: TrafficDeps, round: number, signal: AbortSignal): Promise<void> {
  const counts = deps.stats.traffic
  const toB = round % 2 === 0
  const [src, dst] = toB ? deps.chains : [deps.chains[1], deps.chains[0]]
  const { messages } = await emitInitiating(deps, src, deps.signer, 1 + (round % 3), signal)
  counts.initiated += messages.length
  const msg = messages[messages.length - 1]!
  const id = msg.identifier
  await deps.indexers[0]!.until(src.chainId, 'unsafe', id.blockNumber, signal)

  const at = id.timestamp + 2n
  const valid = await check(deps.supervisor, accessListEntries([msg]), dst.chainId, at, 'unsafe')
  await deps.indexers[0]!.until(src.chainId, 'cross-unsafe', id.blockNumber, signal)
  const crossValid = await check(deps.supervisor, accessListEntries([msg]), dst.chainId, at, 'cross-unsafe')
  const forged = await check(
    deps.supervisor,
    accessListEntries([{ ...msg, payloadHash: flip(msg.payloadHash) }]),
    dst.chainId,
    at,
    'unsafe',
  )
  if (valid === 'valid' && crossValid === 'valid') counts.valid++
  else counts.unexpected++
  if (forged !== 'valid') counts.refused++
  else counts.unexpected++
  const head = `${src.chainId} → ${dst.chainId}  message ${id.blockNumber}:${id.logIndex} ${valid === 'valid' && crossValid === 'valid' ? 'valid' : `UNEXPECTED ${valid} / ${crossValid}`} (unsafe, cross-unsafe), forged copy ${forged === 'valid' ? 'UNEXPECTEDLY valid' : `refused ${code(forged)}`}`

  const k = Math.floor(round / 2)
  for (const ix of deps.indexers.slice(1)) await ix.until(src.chainId, 'cross-unsafe', id.blockNumber, signal)
  const bad = toB ? `; ${await sendBad(deps, dst, msg, k)}` : ''
  const entries = accessListEntries([msg])
  const nonce = deps.nonces.peek(dst.chainId, deps.signer)
  const sent = await submit(dst.ingressRpc, await signExecuting(dc(dst), deps.signer, msg, entries, nonce))
  if (!sent.ok) {
    if (toB) deps.stats.ingress.refused.add(sent.code)
    counts.unexpected++
    deps.print(`${head} | ingress ${dst.chainId}: UNEXPECTEDLY refused ${sent.code} ${sent.message}${bad}`)
    return
  }
  deps.nonces.use(dst.chainId, deps.signer)
  if (toB) deps.stats.ingress.accepted++
  counts.executed++
  const loop = await followLoop(deps, dst, sent.hash, entries, signal)
  deps.print(`${head} | ingress ${dst.chainId}: accepted → ${loop}${bad}`)
  if (toB && deps.reorgEvery > 0 && k % deps.reorgEvery === deps.reorgEvery - 1) await reorgedAway(deps, signal)
}

/**
 * Follows an accepted executing transaction: the block that sealed it and who built that block,
 * its ExecutingMessage log in supervisor-1's index (same block hash), the block cross-unsafe, and
 * supervisor-1's check of the transaction's access list at the block's timestamp. One line of text.
 */
async function followLoop(
  deps: TrafficDeps,
  chain: DevnetChain,
  txHash: Hex,
  entries: Hex[],
  signal: AbortSignal,
): Promise<string> {
  const { loop } = deps.stats
  const r = await chain.included(txHash, signal)
  const n = BigInt(r.blockNumber)
  const source = chain.sourceOf(r.blockHash) ?? 'unknown'
  loop.included.add(source)
  const sealed = `block ${n} by ${source}`
  const log = r.logs.find((l) => l.address.toLowerCase() === INBOX_ADDRESS.toLowerCase())
  if (r.status !== '0x1' || !log || log.topics[0] !== EXECUTING_MESSAGE_TOPIC) {
    deps.stats.traffic.unexpected++
    return `${sealed} UNEXPECTEDLY without an ExecutingMessage log (status ${r.status})`
  }
  const ix = deps.indexers[0]!
  await ix.until(chain.chainId, 'unsafe', n, signal)
  const logIndex = Number(log.logIndex)
  const indexed =
    ix.reader.block(chain.chainId, n)?.hash === r.blockHash.toLowerCase() &&
    ix.reader.findLog(chain.chainId, n, logIndex) !== undefined
  if (!indexed) {
    deps.stats.traffic.unexpected++
    return `${sealed} → ExecutingMessage ${n}:${logIndex} UNEXPECTEDLY not in the index`
  }
  loop.indexed++
  await ix.until(chain.chainId, 'cross-unsafe', n, signal)
  loop.crossUnsafe++
  const block = await chain.rpc.call<{ timestamp: Hex }>('eth_getBlockByHash', [r.blockHash, false])
  const timestamp = BigInt(block.timestamp)
  const verdict = await check(deps.supervisor, entries, chain.chainId, timestamp, 'cross-unsafe')
  if (verdict === 'valid') loop.checkedNull++
  else deps.stats.traffic.unexpected++
  keep(deps.stats.loops, {
    chainId: chain.chainId,
    txHash,
    blockHash: r.blockHash,
    blockNumber: n,
    timestamp,
    source,
    entries,
    logIndex,
  })
  return `${sealed} → ExecutingMessage ${n}:${logIndex} indexed → cross-unsafe, check ${verdict === 'valid' ? 'null' : `UNEXPECTED ${verdict}`}`
}

/**
 * Sends an emitter transaction through `chain`'s ingress and waits for the block that seals it;
 * returns the initiating messages (identifier with the block's timestamp, payload hash) of its logs.
 */
async function emitInitiating(
  deps: TrafficDeps,
  chain: DevnetChain,
  signer: DevSigner,
  count: number,
  signal: AbortSignal,
): Promise<{ messages: InitiatingMessage[]; receipt: Receipt }> {
  const raw = await signer.sign(dc(chain), {
    to: EMITTER_ADDRESS,
    data: emitterCalldata(count, bytesToHex(crypto.getRandomValues(new Uint8Array(16)))),
    gas: 100_000n + BigInt(count) * 5_000n,
    nonce: deps.nonces.peek(chain.chainId, signer),
  })
  const hash = await chain.ingressRpc.call<Hex>('eth_sendRawTransaction', [raw])
  deps.nonces.use(chain.chainId, signer)
  const receipt = await chain.included(hash, signal)
  if (receipt.status !== '0x1') throw new Error(`emitter transaction ${hash} reverted`)
  const block = await chain.rpc.call<{ timestamp: Hex }>('eth_getBlockByHash', [receipt.blockHash, false])
  const messages = receipt.logs.map((log) => ({
    identifier: {
      origin: log.address.toLowerCase() as Hex,
      blockNumber: BigInt(log.blockNumber),
      logIndex: Number(log.logIndex),
      timestamp: BigInt(block.timestamp),
      chainId: chain.chainId,
    },
    payloadHash: bytesToHex(payloadHash(log)),
  }))
  return { messages, receipt }
}

const BAD_KINDS = ['forged', 'malformed', 'premature'] as const

/**
 * Sends one executing transaction the ingress must refuse, a different kind each time:
 * forged (its checksum is for another payload: -320600 from every supervisor), malformed (a lookup
 * entry without its checksum: -32602, refused before any supervisor is asked), premature (it
 * executes a log 1000 blocks ahead: every supervisor answers that it has not seen it yet, a soft
 * answer that counts toward no quorum, so the ingress fails closed with -32000).
 */
async function sendBad(deps: TrafficDeps, dst: DevnetChain, msg: InitiatingMessage, k: number): Promise<string> {
  const kind = BAD_KINDS[k % BAD_KINDS.length]!
  const entries =
    kind === 'forged'
      ? accessListEntries([{ ...msg, payloadHash: flip(msg.payloadHash) }])
      : kind === 'malformed'
        ? accessListEntries([msg]).slice(0, 1)
        : accessListEntries([
            { ...msg, identifier: { ...msg.identifier, blockNumber: msg.identifier.blockNumber + 1000n } },
          ])
  const raw = await signExecuting(dc(dst), deps.forger, msg, entries, 0)
  const sent = await submit(dst.ingressRpc, raw)
  if (sent.ok) {
    deps.stats.traffic.unexpected++
    deps.stats.ingress.accepted++
    return `${kind} tx UNEXPECTEDLY accepted`
  }
  deps.stats.ingress.refused.add(sent.code)
  keep(deps.stats.refusedTxs, keccak256(raw))
  return `${kind} tx refused ${sent.code} (HTTP ${sent.status})`
}

/**
 * The sweep's reason to exist: a transaction that was valid when the ingress accepted it and is
 * not any more. A throwaway account (funded from dev account 1 just before, so the reorg takes no
 * nonce another sender depends on) emits a message on 901; its executing transaction is accepted
 * by ingress 902; then 901's sequencer rewinds to the parent of the message's block and seals a
 * new block at that height: the log is gone, every supervisor now answers -320600, and the sweep
 * evicts the transaction from the accepted set on its next round.
 * The transaction carries a nonce ahead of its sender's, so 902 keeps it queued and never mines it,
 * as a stuck transaction waits in a real mempool. Mined, it would be an invalid executing message
 * in 902's chain: 902's cross-unsafe head would stop there for good.
 */
async function reorgedAway(deps: TrafficDeps, signal: AbortSignal): Promise<void> {
  const [a, b] = deps.chains
  const funder = deps.stranded.signer
  const throwaway = new DevSigner(generatePrivateKey())
  const fund = await funder.account.signTransaction({
    type: 'eip1559',
    chainId: Number(a.chainId),
    nonce: deps.nonces.peek(a.chainId, funder),
    to: throwaway.account.address,
    value: 10n ** 18n,
    gas: 21_000n,
    maxFeePerGas: 100_000_000_000n,
    maxPriorityFeePerGas: 1_000_000_000n,
  })
  const funded = await a.ingressRpc.call<Hex>('eth_sendRawTransaction', [fund])
  deps.nonces.use(a.chainId, funder)
  await a.included(funded, signal)
  const { messages, receipt } = await emitInitiating(deps, a, throwaway, 1, signal)
  const msg = messages[0]!
  const n = msg.identifier.blockNumber
  for (const ix of deps.indexers) await ix.until(a.chainId, 'cross-unsafe', n, signal)
  const sent = await submit(
    b.ingressRpc,
    await signExecuting(dc(b), deps.stranded.signer, msg, undefined, deps.stranded.nonce++),
  )
  if (!sent.ok) {
    deps.stats.ingress.refused.add(sent.code)
    deps.stats.traffic.unexpected++
    deps.print(`reorg: the ingress UNEXPECTEDLY refused the transaction to strand (${sent.code} ${sent.message})`)
    return
  }
  deps.stats.ingress.accepted++
  const { parentHash } = await a.rpc.call<{ parentHash: Hex }>('eth_getBlockByHash', [receipt.blockHash, false])
  const replaced = a.sequencer.events.waitFor(
    'sealed',
    (e) => e.number === n && e.blockHash.toLowerCase() !== receipt.blockHash.toLowerCase(),
  )
  a.sequencer.rewind(parentHash)
  const by = await replaced
  deps.stats.ingress.reorged++
  deps.print(
    `reorg: 901's sequencer rewound to block ${n - 1n} and sealed a new block ${n} (${by.source === 'builder' ? by.builder : 'local'}) without the message; accepted tx ${sent.hash.slice(0, 10)}… (queued on ${b.chainId}) now executes a log that is gone`,
  )
}

type Submitted = { ok: true; hash: Hex } | { ok: false; code: number; status: number; message: string }

/** eth_sendRawTransaction through an ingress: the hash, or the refusal's code and HTTP status. */
async function submit(ingress: RpcClient, raw: Hex): Promise<Submitted> {
  try {
    return { ok: true, hash: await ingress.call<Hex>('eth_sendRawTransaction', [raw]) }
  } catch (err) {
    if (err instanceof RemoteRpcError)
      return { ok: false, code: err.rpcCode, status: err.status, message: err.shortMessage }
    throw err
  }
}

/** "valid", or the error code and message the supervisor answered. */
async function check(
  client: RpcClient,
  entries: Hex[],
  execChainId: bigint,
  execTimestamp: bigint,
  minSafety: 'unsafe' | 'cross-unsafe',
): Promise<string> {
  const descriptor = {
    chainID: execChainId.toString(),
    timestamp: `0x${execTimestamp.toString(16)}`,
    timeout: `0x${(EXPIRY_WINDOW_S / 7n).toString(16)}`,
  }
  try {
    const result = await client.call('supervisor_checkAccessList', [entries, minSafety, descriptor])
    return result === null ? 'valid' : `unexpected answer ${JSON.stringify(result)}`
  } catch (err) {
    if (err instanceof RemoteRpcError) return `${err.rpcCode} ${err.shortMessage}`
    throw err
  }
}

/** The code of a check() answer ("-320600 conflicting data: …" → "-320600"). */
const code = (verdict: string) => verdict.split(' ')[0]!

function flip(hash: Hex): Hex {
  const last = parseInt(hash.slice(-2), 16) ^ 0xff
  return `${hash.slice(0, -2)}${last.toString(16).padStart(2, '0')}` as Hex
}
