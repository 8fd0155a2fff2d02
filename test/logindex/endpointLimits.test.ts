import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import { DevSigner, emitInitiating, type InitiatingMessage, setupChain } from '../../src/devnet/messages.js'
import { accessFor } from '../../src/interop/index.js'
import { type Indexer, startIndexer } from '../../src/logindex/index.js'
import { createLogger } from '../../src/util/logger.js'
import { type RpcProxy, startRpcProxy } from '../_helpers/rpcProxy.js'

const dir = mkdtempSync(join(tmpdir(), 'sg-limits-'))
let anvil: Anvil
let proxy: RpcProxy
let indexer: Indexer | undefined
const msgs: InitiatingMessage[] = []

test.before(async () => {
  anvil = await startAnvil({ chainId: 906 })
  const chain = await setupChain(anvil.url)
  const signer = new DevSigner()
  for (let i = 0; i < 3; i++) {
    msgs.push(...(await emitInitiating(chain, signer, { count: 5 })))
    await chain.client.request({ method: 'anvil_mine' as never, params: ['0x28'] as never })
  }
  proxy = await startRpcProxy(anvil.url, { refuseBatches: true, maxLogRange: 10 })
})

test.after(async () => {
  await indexer?.close()
  await proxy.close()
  await anvil.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('an endpoint without batches and with a small eth_getLogs range still gets indexed completely', async () => {
  indexer = await startIndexer({
    chains: [{ url: proxy.url }],
    dbPath: join(dir, 'i.db'),
    backfillMs: 86_400_000,
    pollMs: 50,
    maxRange: 1000,
    logger: createLogger('silent'),
    progress: false,
  })
  await indexer.ready
  const head = indexer.reader.head(906n, 'unsafe')!
  assert.ok(head.number >= 123n)
  for (let n = 0n; n <= head.number; n++) assert.ok(indexer.reader.block(906n, n), `block ${n}`)
  for (const m of msgs) {
    const l = indexer.reader.findLog(906n, m.identifier.blockNumber, m.identifier.logIndex)
    assert.is(l && `0x${l.checksum.toString('hex')}`, accessFor(m.identifier, m.payloadHash).checksum)
  }
  assert.ok((proxy.calls.get('eth_getLogs') ?? 0) >= 12, 'ranges shrank to the endpoint limit')
})

test.run()
