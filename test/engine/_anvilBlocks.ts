import type { ExecutionPayloadV3, Hex } from '../../src/engine/index.js'

/** Minimal JSON-RPC call for tests; throws on an error answer. */
export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  const body = (await res.json()) as { result?: T; error?: { message: string } }
  if (body.error) throw new Error(`${method}: ${body.error.message}`)
  return body.result as T
}

export type AnvilBlock = Record<string, unknown> & {
  hash: Hex
  transactions: Hex[]
  parentBeaconBlockRoot: Hex
  requestsHash?: Hex
  transactionsRoot: Hex
  withdrawalsRoot: Hex
}

/** An anvil block as the Engine API payload it corresponds to (raw transactions fetched one by one). */
export async function anvilPayload(
  url: string,
  tag: string,
): Promise<{ block: AnvilBlock; payload: ExecutionPayloadV3 }> {
  const block = await rpc<AnvilBlock>(url, 'eth_getBlockByNumber', [tag, false])
  const transactions = await Promise.all(
    block.transactions.map((h) => rpc<Hex>(url, 'eth_getRawTransactionByHash', [h])),
  )
  const b = block as Record<string, Hex>
  const payload: ExecutionPayloadV3 = {
    parentHash: b.parentHash!,
    feeRecipient: b.miner!,
    stateRoot: b.stateRoot!,
    receiptsRoot: b.receiptsRoot!,
    logsBloom: b.logsBloom!,
    prevRandao: b.mixHash!,
    blockNumber: b.number!,
    gasLimit: b.gasLimit!,
    gasUsed: b.gasUsed!,
    timestamp: b.timestamp!,
    extraData: b.extraData!,
    baseFeePerGas: b.baseFeePerGas!,
    blockHash: b.hash!,
    transactions,
    withdrawals: block.withdrawals as ExecutionPayloadV3['withdrawals'],
    blobGasUsed: b.blobGasUsed!,
    excessBlobGas: b.excessBlobGas!,
  }
  return { block, payload }
}
