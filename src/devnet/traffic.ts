import { EXPIRY_WINDOW_S, type Hex } from '../interop/index.js'
import type { Indexer } from '../logindex/index.js'
import { RemoteRpcError, type RpcClient } from '../rpc/index.js'
import {
  accessListEntries,
  type DevChain,
  type DevSigner,
  emitInitiating,
  type InitiatingMessage,
  sendExecuting,
  signExecuting,
} from './messages.js'
import type { IngressCounts, TrafficCounts } from './stats.js'

export type TrafficDeps = {
  /** [901, 902]; the ingress is in front of 902. */
  chains: readonly [DevChain, DevChain]
  signer: DevSigner
  /** The index-backend supervisor, asked directly. */
  supervisor: RpcClient
  /** Both index supervisors: the ingress's quorum is 2 of 3, so a message is sent once both have it. */
  indexers: readonly Indexer[]
  /** The ingress in front of chain 902. */
  ingress: RpcClient
  /** Signs the transactions the ingress must refuse (they never reach a chain, so no nonce is used up). */
  forger: DevSigner
  /** Sends the messages that are reorged away, and their executing transactions (see reorgedAway). */
  stranded: { signer: DevSigner; nonce: number }
  reorgEvery: number
  counts: { traffic: TrafficCounts; ingress: IngressCounts }
  print: (line: string) => void
}

/**
 * One round of generated traffic: emit an initiating message on one chain, wait until the
 * supervisor has indexed it, check it (it must pass), check a forged copy (it must be refused),
 * then execute it on the other chain, so ExecutingMessage events appear there as on a real
 * interop chain and drive its cross-unsafe head. Toward 902 the executing transaction goes
 * through the ingress, after a bad one the ingress must refuse; toward 901 it goes straight to anvil.
 */
export async function trafficRound(deps: TrafficDeps, round: number, signal: AbortSignal): Promise<void> {
  const counts = deps.counts.traffic
  const viaIngress = round % 2 === 0
  const [src, dst] = viaIngress ? deps.chains : [deps.chains[1], deps.chains[0]]
  const messages = await emitInitiating(src, deps.signer, { count: 1 + (round % 3) })
  counts.initiated += messages.length
  const msg = messages[messages.length - 1]!
  await deps.indexers[0]!.until(src.chainId, 'unsafe', msg.identifier.blockNumber, signal)

  const valid = await check(deps.supervisor, accessListEntries([msg]), dst.chainId, msg, 'unsafe')
  await deps.indexers[0]!.until(src.chainId, 'cross-unsafe', msg.identifier.blockNumber, signal)
  const crossValid = await check(deps.supervisor, accessListEntries([msg]), dst.chainId, msg, 'cross-unsafe')
  const forged = await check(
    deps.supervisor,
    accessListEntries([{ ...msg, payloadHash: flip(msg.payloadHash) }]),
    dst.chainId,
    msg,
    'unsafe',
  )
  if (valid === 'valid' && crossValid === 'valid') counts.valid++
  else counts.unexpected++
  if (forged !== 'valid') counts.refused++
  else counts.unexpected++
  const id = msg.identifier
  const head = `${src.chainId} → ${dst.chainId}  message ${id.blockNumber}:${id.logIndex} ${valid === 'valid' && crossValid === 'valid' ? 'valid' : `UNEXPECTED ${valid} / ${crossValid}`} (unsafe, cross-unsafe), forged copy ${forged === 'valid' ? 'UNEXPECTEDLY valid' : `refused ${code(forged)}`}`

  if (!viaIngress) {
    const executed = await sendExecuting(dst, deps.signer, msg)
    counts.executed++
    deps.print(`${head} | sent to anvil → ${dst.chainId} block ${executed.blockNumber}`)
    return
  }

  const k = round / 2
  for (const ix of deps.indexers.slice(1)) await ix.until(src.chainId, 'cross-unsafe', id.blockNumber, signal)
  const bad = await sendBad(deps, dst, msg, k)
  const sent = await submit(deps.ingress, await signExecuting(dst, deps.signer, msg))
  if (!sent.ok) {
    deps.signer.resetNonce(dst)
    deps.counts.ingress.refused.add(sent.code)
    counts.unexpected++
    deps.print(`${head} | ingress: UNEXPECTEDLY refused ${sent.code} ${sent.message}; ${bad}`)
    return
  }
  deps.counts.ingress.accepted++
  const receipt = await dst.client.waitForTransactionReceipt({ hash: sent.hash, pollingInterval: 20 })
  counts.executed++
  deps.print(`${head} | ingress: accepted → ${dst.chainId} block ${receipt.blockNumber}; ${bad}`)
  if (deps.reorgEvery > 0 && k % deps.reorgEvery === deps.reorgEvery - 1) await reorgedAway(deps, signal)
}

const BAD_KINDS = ['forged', 'malformed', 'premature'] as const

/**
 * Sends one executing transaction the ingress must refuse, a different kind each time:
 * forged (its checksum is for another payload: -320600 from every supervisor), malformed (a lookup
 * entry without its checksum: -32602, refused before any supervisor is asked), premature (it
 * executes a log 1000 blocks ahead: every supervisor answers "future data", a soft answer that
 * counts toward no quorum, so the ingress fails closed with -32000).
 */
async function sendBad(deps: TrafficDeps, dst: DevChain, msg: InitiatingMessage, k: number): Promise<string> {
  const kind = BAD_KINDS[k % BAD_KINDS.length]!
  const entries =
    kind === 'forged'
      ? accessListEntries([{ ...msg, payloadHash: flip(msg.payloadHash) }])
      : kind === 'malformed'
        ? accessListEntries([msg]).slice(0, 1)
        : accessListEntries([
            { ...msg, identifier: { ...msg.identifier, blockNumber: msg.identifier.blockNumber + 1000n } },
          ])
  const sent = await submit(deps.ingress, await signExecuting(dst, deps.forger, msg, entries, 0))
  if (sent.ok) {
    deps.counts.traffic.unexpected++
    deps.counts.ingress.accepted++
    return `${kind} tx UNEXPECTEDLY accepted`
  }
  deps.counts.ingress.refused.add(sent.code)
  return `${kind} tx refused ${sent.code} (HTTP ${sent.status})`
}

/**
 * The sweep's reason to exist: a transaction that was valid when the ingress accepted it and is
 * not any more. A fresh message is emitted on 901 in a block of its own, its executing transaction
 * is accepted by the ingress, then anvil_reorg replaces that block with an empty one: the log the
 * transaction executes is gone, every supervisor now answers -320600, and the sweep evicts it from
 * the accepted set on its next round.
 * The transaction carries a nonce far ahead of its sender's, so 902 keeps it queued and never mines
 * it, as a stuck transaction waits in a real mempool. Mined, it would be an invalid executing
 * message in 902's chain: 902's cross-unsafe head would stop there for good (a real chain would
 * reorg it out too), and every later check of a 902 message at cross-unsafe would wait forever.
 */
async function reorgedAway(deps: TrafficDeps, signal: AbortSignal): Promise<void> {
  const [a, b] = deps.chains
  const msg = (await emitInitiating(a, deps.stranded.signer))[0]!
  const n = msg.identifier.blockNumber
  for (const ix of deps.indexers) await ix.until(a.chainId, 'cross-unsafe', n, signal)
  const sent = await submit(
    deps.ingress,
    await signExecuting(b, deps.stranded.signer, msg, undefined, deps.stranded.nonce++),
  )
  if (!sent.ok) {
    deps.counts.ingress.refused.add(sent.code)
    deps.counts.traffic.unexpected++
    deps.print(`reorg: the ingress UNEXPECTEDLY refused the transaction to strand (${sent.code} ${sent.message})`)
    return
  }
  deps.counts.ingress.accepted++
  await replaceFrom(a, n)
  deps.stranded.signer.resetNonce(a)
  deps.counts.ingress.reorged++
  deps.print(
    `reorg: ${a.chainId} block ${n} replaced by an empty one; accepted tx ${sent.hash.slice(0, 10)}… (queued on ${b.chainId}) now executes a log that is gone`,
  )
}

/** Replaces block `n` and every later block of an anvil chain with empty ones (anvil_reorg), retrying if a block was mined meanwhile. */
async function replaceFrom(chain: DevChain, n: bigint): Promise<void> {
  const before = (await chain.client.getBlock({ blockNumber: n })).hash
  for (let attempt = 0; attempt < 5; attempt++) {
    const head = BigInt(await chain.client.request({ method: 'eth_blockNumber' }))
    await chain.client.request({ method: 'anvil_reorg' as never, params: [Number(head - n + 1n), []] as never })
    if ((await chain.client.getBlock({ blockNumber: n })).hash === before) continue
    // anvil re-mines the replaced blocks one second apart from their parent, which leaves its clock
    // behind: put it back on time, or 901 blocks would soon carry timestamps older than 902's messages.
    const latest = BigInt(
      (await chain.client.request({ method: 'eth_getBlockByNumber', params: ['latest', false] }))!.timestamp,
    )
    const now = BigInt(Math.ceil(Date.now() / 1000))
    await chain.client.request({
      method: 'evm_setNextBlockTimestamp' as never,
      params: [Number(now > latest ? now : latest + 1n)] as never,
    })
    return
  }
  throw new Error(`anvil_reorg did not replace block ${n} of chain ${chain.chainId}`)
}

type Submitted = { ok: true; hash: Hex } | { ok: false; code: number; status: number; message: string }

/** eth_sendRawTransaction through the ingress: the hash, or the refusal's code and HTTP status. */
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
  msg: InitiatingMessage,
  minSafety: 'unsafe' | 'cross-unsafe',
): Promise<string> {
  const descriptor = {
    chainID: execChainId.toString(),
    timestamp: `0x${(msg.identifier.timestamp + 2n).toString(16)}`,
    timeout: `0x${(EXPIRY_WINDOW_S / 7n).toString(16)}`,
  }
  try {
    await client.call('supervisor_checkAccessList', [entries, minSafety, descriptor])
    return 'valid'
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
