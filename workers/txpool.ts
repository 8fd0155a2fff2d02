import { isMainThread } from 'node:worker_threads'
import { move, transferableSymbol, valueSymbol } from 'piscina'
import { RpcClient } from '../src/rpc/client.js'
import { lowerPriority } from '../src/sweep/lowerPriority.js'
import type { TxpoolResult, TxpoolTask } from '../src/sweep/protocol.js'
import { parsePendingTransactions, parseTxpoolContent, type TxpoolContent } from '../src/sweep/txpoolContent.js'

// The main thread (ingress, sequencer) comes first when cores are contended. (Tests import this
// file on their main thread too; that thread keeps its priority.)
if (!isMainThread) lowerPriority()

/** One keep-alive client per execution client, for the life of the worker. */
const clients = new Map<string, RpcClient>()

/** eth_getTransactionByHash calls per batch request: ~1.3 KB an answer, ~650 KB a batch. */
const BY_HASH_BATCH = 500

/**
 * Fetches `txpool_content` (or, with `task.hashes`, those transactions by hash) and returns its
 * interop transactions packed into transferable buffers (see TxpoolResult): a 100k-transaction
 * pool is ~100 MB of JSON, which would block the main thread for about a second if parsed there.
 */
export default async function txpool(task: TxpoolTask): Promise<unknown> {
  const started = performance.now()
  const key = `${task.url}|${task.timeoutMs}|${task.maxResponseBytes}`
  let client = clients.get(key)
  if (!client) {
    client = new RpcClient(task.url, { timeoutMs: task.timeoutMs, maxResponseBytes: task.maxResponseBytes })
    clients.set(key, client)
  }
  let readMs = 0
  let content: TxpoolContent
  if (task.hashes) {
    const answers: unknown[] = []
    for (let i = 0; i < task.hashes.length; i += BY_HASH_BATCH) {
      const calls = task.hashes
        .slice(i, i + BY_HASH_BATCH)
        .map((h) => ({ method: 'eth_getTransactionByHash', params: [h] }))
      // A failed call (the transaction left meanwhile) reads as null: the next status check settles it.
      const t = performance.now()
      const results = await client.batch(calls)
      readMs += performance.now() - t - client.lastAnswer.parseMs
      for (const r of results) answers.push(r.ok ? r.result : null)
    }
    content = parsePendingTransactions(answers)
  } else {
    const answer = await client.call('txpool_content')
    readMs = performance.now() - started - client.lastAnswer.parseMs
    content = parseTxpoolContent(answer)
  }
  const all = Buffer.from(new ArrayBuffer(content.all.length * 32))
  content.all.forEach((h, i) => {
    all.write(h.slice(2), i * 32, 32, 'hex')
  })
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
    all: all.buffer as ArrayBuffer,
    // The requests, less JSON.parse; parse = JSON.parse plus digesting and packing.
    readMs,
    parseMs: performance.now() - started - readMs,
    ms: performance.now() - started,
  }
  return move({
    [transferableSymbol]: [result.hashes, result.counts.buffer, result.entries, result.all],
    [valueSymbol]: result,
  } as never)
}

const HEX_ENTRY = /^0x[0-9a-fA-F]{64}$/
