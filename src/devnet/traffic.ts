import type { Indexer } from '../logindex/index.js'
import { RemoteRpcError, type RpcClient } from '../rpc/index.js'
import { EXPIRY_WINDOW_S, type Hex } from '../interop/index.js'
import { accessListEntries, emitInitiating, sendExecuting, type DevChain, type DevSigner, type InitiatingMessage } from './messages.js'

export type TrafficCounts = { initiated: number; valid: number; refused: number; executed: number; unexpected: number }

export type TrafficDeps = {
  chains: readonly [DevChain, DevChain]
  signer: DevSigner
  supervisor: RpcClient
  indexer: Indexer
  print: (line: string) => void
}

/**
 * One round of generated traffic: emit an initiating message on one chain, wait until the
 * supervisor has indexed it, check it (it must pass), check a forged copy (it must be refused),
 * then execute it on the other chain, so ExecutingMessage events appear there as on a real
 * interop chain and drive its cross-unsafe head.
 */
export async function trafficRound(deps: TrafficDeps, round: number, counts: TrafficCounts, signal: AbortSignal): Promise<void> {
  const [src, dst] = round % 2 === 0 ? deps.chains : [deps.chains[1], deps.chains[0]]
  const messages = await emitInitiating(src, deps.signer, { count: 1 + (round % 3) })
  counts.initiated += messages.length
  const msg = messages[messages.length - 1]!
  await reached(deps.indexer, 'commit', src.chainId, msg.identifier.blockNumber, signal)

  const valid = await check(deps.supervisor, accessListEntries([msg]), dst.chainId, msg, 'unsafe')
  await reached(deps.indexer, 'cross-unsafe', src.chainId, msg.identifier.blockNumber, signal)
  const crossValid = await check(deps.supervisor, accessListEntries([msg]), dst.chainId, msg, 'cross-unsafe')
  const forged = await check(deps.supervisor, accessListEntries([{ ...msg, payloadHash: flip(msg.payloadHash) }]), dst.chainId, msg, 'unsafe')
  if (valid === 'valid' && crossValid === 'valid') counts.valid++
  else counts.unexpected++
  if (forged !== 'valid') counts.refused++
  else counts.unexpected++

  const executed = await sendExecuting(dst, deps.signer, msg)
  counts.executed++
  const id = msg.identifier
  deps.print(
    `${src.chainId} → ${dst.chainId}  block ${id.blockNumber} log ${id.logIndex}: unsafe ${verdict(valid)}, cross-unsafe ${verdict(crossValid)}; ` +
      `forged copy ${forged === 'valid' ? 'UNEXPECTEDLY valid' : `refused (${forged})`}; executed in ${dst.chainId} block ${executed.blockNumber}`,
  )
}

/** "valid", or the error code and message the supervisor answered. */
async function check(client: RpcClient, entries: Hex[], execChainId: bigint, msg: InitiatingMessage, minSafety: 'unsafe' | 'cross-unsafe'): Promise<string> {
  const descriptor = { chainID: execChainId.toString(), timestamp: `0x${(msg.identifier.timestamp + 2n).toString(16)}`, timeout: `0x${(EXPIRY_WINDOW_S / 7n).toString(16)}` }
  try {
    await client.call('supervisor_checkAccessList', [entries, minSafety, descriptor])
    return 'valid'
  } catch (err) {
    if (err instanceof RemoteRpcError) return `${err.rpcCode} ${err.shortMessage}`
    throw err
  }
}

const verdict = (v: string) => (v === 'valid' ? 'valid' : `UNEXPECTED ${v}`)

/** Resolves once the index's unsafe ('commit') or cross-unsafe head of `chainId` reaches `blockNumber`, awaiting the indexer's events. */
function reached(indexer: Indexer, event: 'commit' | 'cross-unsafe', chainId: bigint, blockNumber: bigint, signal: AbortSignal): Promise<void> {
  const level = event === 'commit' ? 'unsafe' : 'cross-unsafe'
  const done = () => (indexer.reader.head(chainId, level)?.number ?? -1n) >= blockNumber
  if (done()) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const onCommit = () => { if (done()) finish(resolve) }
    const onAbort = () => finish(() => reject(signal.reason))
    const finish = (f: () => void) => { indexer.off(event, onCommit); signal.removeEventListener('abort', onAbort); f() }
    indexer.on(event, onCommit)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

function flip(hash: Hex): Hex {
  const last = parseInt(hash.slice(-2), 16) ^ 0xff
  return `${hash.slice(0, -2)}${last.toString(16).padStart(2, '0')}` as Hex
}
