import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parentPort, workerData } from 'node:worker_threads'

/**
 * An execution client's txpool double for the txpool-rounds bench, on its own thread: geth's JSON
 * shapes for txpool_content, txpool_status, eth_getTransactionByHash, eth_getBlockByHash and the
 * pending-transaction and block filters (eth_newPendingTransactionFilter, eth_newBlockFilter,
 * eth_getFilterChanges), batches included. The main thread moves the pool on between rounds
 * ({ add, include }: `add` new transactions arrive, the `include` oldest leave in a new block).
 * Each transaction's JSON is serialised once; txpool_content's body is rebuilt only after a change.
 */
type Tx = { hash: string; from: string; inboxEntries: string[] }
const { txs, extra } = workerData as { txs: Tx[]; extra: Tx[] }

const jsonOf = (t: Tx, i: number) =>
  JSON.stringify({
    blockHash: null,
    blockNumber: null,
    transactionIndex: null,
    from: t.from,
    hash: t.hash,
    type: '0x2',
    chainId: '0x386',
    nonce: '0x0',
    to: '0x4200000000000000000000000000000000000022',
    gas: '0x30d40',
    gasPrice: '0x174876e800',
    maxFeePerGas: '0x174876e800',
    maxPriorityFeePerGas: '0x3b9aca00',
    value: '0x0',
    input: `0x${'ab'.repeat(196)}`,
    accessList: [{ address: '0x4200000000000000000000000000000000000022', storageKeys: t.inboxEntries }],
    v: '0x1',
    r: `0x${(i + 1).toString(16).padStart(64, '1')}`,
    s: `0x${(i + 1).toString(16).padStart(64, '2')}`,
    yParity: '0x1',
  })

/** hash → [from, JSON], in arrival order. */
const pending = new Map<string, [string, string]>()
txs.forEach((t, i) => {
  pending.set(t.hash, [t.from, jsonOf(t, i)])
})
let nextExtra = 0
const blocks = new Map<string, string[]>()
let blockNumber = 0
const filters = new Map<string, { kind: 'pending' | 'blocks'; changes: string[] }>()
let content: string | undefined

function contentBody(): string {
  if (content === undefined) {
    const parts: string[] = []
    for (const [, [from, json]] of pending) parts.push(`"${from}":{"0":${json}}`)
    content = `{"pending":{${parts.join(',')}},"queued":{}}`
  }
  return content
}

const hex = (n: number) => `0x${n.toString(16)}`

/** The result of one call, as JSON text (undefined: an error). */
function answer(method: string, params: unknown[]): string | { code: number; message: string } {
  switch (method) {
    case 'eth_chainId':
      return '"0x386"'
    case 'txpool_content':
      return contentBody()
    case 'txpool_status':
      return `{"pending":"${hex(pending.size)}","queued":"0x0"}`
    case 'eth_getTransactionByHash':
      return pending.get(String(params[0]))?.[1] ?? 'null'
    case 'eth_getBlockByHash': {
      const b = blocks.get(String(params[0]))
      return b ? JSON.stringify({ hash: params[0], transactions: b }) : 'null'
    }
    case 'eth_newPendingTransactionFilter':
    case 'eth_newBlockFilter': {
      const id = hex(filters.size + 1)
      filters.set(id, { kind: method === 'eth_newBlockFilter' ? 'blocks' : 'pending', changes: [] })
      return `"${id}"`
    }
    case 'eth_getFilterChanges': {
      const f = filters.get(String(params[0]))
      if (!f) return { code: -32000, message: 'filter not found' }
      const out = JSON.stringify(f.changes)
      f.changes = []
      return out
    }
    case 'eth_uninstallFilter':
      return String(filters.delete(String(params[0])))
    default:
      return { code: -32601, message: `the method ${method} does not exist/is not available` }
  }
}

type Call = { id: unknown; method: string; params?: unknown[] }
const reply = (c: Call) => {
  const r = answer(c.method, c.params ?? [])
  return typeof r === 'string'
    ? `{"jsonrpc":"2.0","id":${JSON.stringify(c.id)},"result":${r}}`
    : `{"jsonrpc":"2.0","id":${JSON.stringify(c.id)},"error":${JSON.stringify(r)}}`
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const parsed = JSON.parse(Buffer.concat(chunks).toString()) as Call | Call[]
    const body = Array.isArray(parsed) ? `[${parsed.map(reply).join(',')}]` : reply(parsed)
    res.writeHead(200, { 'content-type': 'application/json' }).end(body)
  })
})
// A client's keep-alive socket outlives a slow round on a loaded box (Node's default 5 s closes it
// under the client's next request: "socket hang up"); no bound on a request here.
server.keepAliveTimeout = 600_000
server.requestTimeout = 0
server.listen(0, '127.0.0.1', () =>
  parentPort!.postMessage({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bytes: contentBody().length,
  }),
)
parentPort!.on('message', (m: 'close' | { add: number; include: number }) => {
  if (m === 'close') {
    server.close(() => parentPort!.close())
    return
  }
  const included: string[] = []
  for (const hash of pending.keys()) {
    if (included.length >= m.include) break
    included.push(hash)
  }
  for (const h of included) pending.delete(h)
  const added: string[] = []
  for (let k = 0; k < m.add && nextExtra < extra.length; k++, nextExtra++) {
    const t = extra[nextExtra]!
    pending.set(t.hash, [t.from, jsonOf(t, txs.length + nextExtra)])
    added.push(t.hash)
  }
  const blockHash = `0x${(++blockNumber).toString(16).padStart(64, 'b')}`
  blocks.set(blockHash, included)
  for (const f of filters.values()) f.changes.push(...(f.kind === 'pending' ? added : [blockHash]))
  content = undefined
  parentPort!.postMessage('advanced')
})
