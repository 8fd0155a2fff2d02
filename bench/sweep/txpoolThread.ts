import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parentPort, workerData } from 'node:worker_threads'

/**
 * A txpool_content endpoint serving a generated mempool (geth's JSON shape, one access-list
 * tuple per transaction), on its own thread. The body is serialised once: the bench measures the
 * sweep, not this server.
 */
const { txs } = workerData as { txs: { hash: string; from: string; inboxEntries: string[] }[] }
const pending: Record<string, Record<string, unknown>> = {}
for (const [i, t] of txs.entries()) {
  pending[t.from] = {
    '0': {
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
    },
  }
}
const body = (id: unknown) => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${json}}`
const json = JSON.stringify({ pending, queued: {} })
const server = createServer((req, res) => {
  let b = ''
  req.on('data', (c: Buffer) => {
    b += c.toString()
  })
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(body(JSON.parse(b).id)))
})
server.listen(0, '127.0.0.1', () =>
  parentPort!.postMessage({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bytes: json.length }),
)
parentPort!.once('message', () => server.close(() => parentPort!.close()))
