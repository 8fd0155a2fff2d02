import { isMainThread } from 'node:worker_threads'
import { move, transferableSymbol, valueSymbol } from 'piscina'
import { RpcClient } from '../src/rpc/client.js'
import { lowerPriority } from '../src/sweep/lowerPriority.js'
import type { TxpoolResult, TxpoolTask } from '../src/sweep/protocol.js'
import { parseTxpoolContent } from '../src/sweep/txpoolContent.js'

// The main thread (ingress, sequencer) comes first when cores are contended. (Tests import this
// file on their main thread too; that thread keeps its priority.)
if (!isMainThread) lowerPriority()

/** One keep-alive client per execution client, for the life of the worker. */
const clients = new Map<string, RpcClient>()

/**
 * Fetches `txpool_content` and returns its interop transactions packed into transferable
 * buffers (see TxpoolResult): a 100k-transaction pool is ~100 MB of JSON, which would block the
 * main thread for about a second if parsed there.
 */
export default async function txpool(task: TxpoolTask): Promise<unknown> {
  const started = performance.now()
  const key = `${task.url}|${task.timeoutMs}|${task.maxResponseBytes}`
  let client = clients.get(key)
  if (!client) {
    client = new RpcClient(task.url, { timeoutMs: task.timeoutMs, maxResponseBytes: task.maxResponseBytes })
    clients.set(key, client)
  }
  const content = parseTxpoolContent(await client.call('txpool_content'))
  let n = 0
  for (const tx of content.txs) n += tx.inboxEntries.length
  const hashes = Buffer.from(new ArrayBuffer(content.txs.length * 32))
  const entries = Buffer.from(new ArrayBuffer(n * 32))
  const counts = new Uint32Array(content.txs.length)
  const malformed: [number, string[]][] = []
  let e = 0
  content.txs.forEach((tx, i) => {
    hashes.write(tx.hash.slice(2), i * 32, 32, 'hex')
    // Entries that are not 32-byte hex cannot be packed: they travel as strings (rare), and
    // the main thread evicts the transaction with the codec's parse error.
    if (!tx.inboxEntries.every((k) => HEX_ENTRY.test(k))) {
      malformed.push([i, tx.inboxEntries])
      return
    }
    counts[i] = tx.inboxEntries.length
    for (const k of tx.inboxEntries) entries.write(k.slice(2), 32 * e++, 32, 'hex')
  })
  const result: TxpoolResult = {
    hashes: hashes.buffer as ArrayBuffer,
    counts,
    entries: entries.buffer as ArrayBuffer,
    malformed,
    total: content.total,
    skipped: content.skipped,
    ms: performance.now() - started,
  }
  return move({
    [transferableSymbol]: [result.hashes, result.counts.buffer, result.entries],
    [valueSymbol]: result,
  } as never)
}

const HEX_ENTRY = /^0x[0-9a-fA-F]{64}$/
