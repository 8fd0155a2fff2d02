import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DEV_KEYS, emitInitiating } from '../../src/devnet/messages.js'
import { type Ingress, startIngress } from '../../src/ingress/index.js'
import { runLoadtest } from '../../src/loadtest/index.js'
import { type Supervisor, startSupervisor, supervisorConfig } from '../../src/supervisor/index.js'
import { createLogger } from '../../src/util/logger.js'
import { type InteropChain, startInteropChains } from '../_helpers/interopChains.js'
import { untilIndexed } from '../_helpers/untilIndexed.js'

// The ingress kind against superguard's ingress in front of anvil B, checking against a supervisor
// that indexes A and B: senders funded from a dev key, plain transfers and interop transactions
// executing A's logs, valid and forged; every answer as expected and the accepted ones on B.

const dir = mkdtempSync(join(tmpdir(), 'sg-loadtest-ingress-'))
const keyFile = join(dir, 'key.hex')
writeFileSync(keyFile, DEV_KEYS[1])
let chains: Awaited<ReturnType<typeof startInteropChains>>
let a: InteropChain
let b: InteropChain
let supervisor: Supervisor
let ingress: Ingress

test.before(async () => {
  chains = await startInteropChains()
  ;({ a, b } = chains)
  await emitInitiating(a, chains.signer, { count: 8 })
  supervisor = await startSupervisor(
    supervisorConfig({
      argv: [
        '--rpc',
        a.url,
        '--rpc',
        b.url,
        '--port',
        '0',
        '--poll',
        '100ms',
        '--log-level',
        'silent',
        '--db',
        join(dir, 's.db'),
      ],
    }),
    { progress: false },
  )
  await supervisor.ready
  const head = await a.client.getBlockNumber()
  await untilIndexed(
    supervisor.indexer!,
    'A indexed',
    () => (supervisor.indexer!.reader.head(a.chainId, 'unsafe')?.number ?? -1n) >= head,
  )
  ingress = await startIngress(
    { port: 0, upstream: b.url, supervisor: [supervisor.url], rateLimit: 0 },
    { logger: createLogger('silent') },
  )
})

test.after(async () => {
  await ingress?.close()
  await supervisor?.close()
  await chains?.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('ingress: plain and valid interop transactions accepted, forged ones refused -320600 (HTTP 409)', async () => {
  const blockNumber = async () => BigInt(await b.client.request({ method: 'eth_blockNumber' })) // uncached
  const before = await blockNumber()
  const r = await runLoadtest({
    kind: 'ingress',
    target: ingress.url,
    // B first: the chain the ingress sends to (funding, nonces); A: the messages
    rpc: [b.url, a.url],
    keyFile,
    senders: 8,
    connections: 4,
    bodies: 200,
    duration: '2s',
    progress: 'off',
  })
  assert.equal(r.wrongVerdicts, {}, JSON.stringify(r.wrongExamples.slice(0, 3)))
  assert.is(r.requests.answered, 200, `answered ${r.requests.answered} of 200`)
  assert.is(r.cases.plain, 100)
  assert.is(r.cases.valid, 80)
  assert.is(r.cases.forged, 20)
  assert.equal(r.codes, { null: 180, '-320600': 20 })
  assert.equal(r.http, { '200': 180, '409': 20 })
  assert.is(r.extra.senders, 8)
  // What the ingress accepted reached the chain: 180 transactions beyond the funding. Counted per
  // transaction, not per block: anvil's automine puts two that arrive together in one block (CI saw
  // 178 blocks for 180).
  const after = await blockNumber()
  let included = 0
  for (let n = before + 1n; n <= after; n++)
    included += Number(
      BigInt(
        await b.client.request({ method: 'eth_getBlockTransactionCountByNumber', params: [`0x${n.toString(16)}`] }),
      ),
    )
  assert.ok(included >= 180, `B included ${included} transactions in ${after - before} blocks`)
})

test.run()
