import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { accessListEntries, emitInitiating, type InitiatingMessage, sendExecuting } from '../../src/devnet/messages.js'
import { openLogReader } from '../../src/logindex/index.js'
import { type Supervisor, startSupervisor, supervisorConfig } from '../../src/supervisor/index.js'
import { toQuantity } from '../../src/util/hex.js'
import { type InteropChain, startInteropChains, supervisorArgv } from '../_helpers/interopChains.js'
import { answerCode, jsonRpc } from '../_helpers/jsonRpc.js'
import { untilIndexed } from '../_helpers/untilIndexed.js'

// The supervisor's checks hold a read snapshot on the indexer's own connection across turns
// (TurnSnapshot). With checks arriving without a pause, the writer must still end it before each
// write, so that every commit reaches the file and cross-unsafe keeps advancing: the earlier
// per-turn snapshot was taken out after the 3×3 cluster's supervisors stopped advancing
// cross-unsafe under traffic (46 of 78 valid transactions refused -321100).

const dir = mkdtempSync(join(tmpdir(), 'sg-cross-checks-'))
const dbPath = join(dir, 'supervisor.db')
let chains: Awaited<ReturnType<typeof startInteropChains>>
let a: InteropChain
let b: InteropChain
let sup: Supervisor

const cross = (chainId: bigint) => sup.indexer!.reader.head(chainId, 'cross-unsafe')?.number ?? -1n
const execOf = (msg: InitiatingMessage) => ({
  chainID: (msg.identifier.chainId === 901n ? 902n : 901n).toString(),
  timestamp: toQuantity(msg.identifier.timestamp + 2n),
})
const checkAt = (msg: InitiatingMessage, level: string) =>
  jsonRpc(sup.url, 'supervisor_checkAccessList', [accessListEntries([msg]), level, execOf(msg)])

test.before(async () => {
  chains = await startInteropChains()
  ;({ a, b } = chains)
  sup = await startSupervisor(supervisorConfig({ argv: supervisorArgv(a, b, dbPath) }), { progress: false })
  await sup.ready
})

test.after(async () => {
  await sup?.close()
  await chains?.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('cross-unsafe advances past every valid executing block while checks run without a pause', async () => {
  const { signer } = chains
  const [m0] = (await emitInitiating(a, signer)) as [InitiatingMessage]
  await untilIndexed(
    sup.indexer!,
    'the first message cross-unsafe',
    () => cross(a.chainId) >= m0.identifier.blockNumber,
  )

  // 8 clients checking a cross-unsafe message back to back, every answer counted.
  let running = true
  const codes = new Map<number, number>()
  const client = async () => {
    while (running) {
      const code = answerCode(await checkAt(m0, 'cross-unsafe'))
      codes.set(code, (codes.get(code) ?? 0) + 1)
    }
  }
  const clients = Array.from({ length: 8 }, client)
  // Another connection on the file: every commit must be in it at once (a write nested in the
  // held read would reach it only when that read ends, and never if it is rolled back).
  const file = openLogReader(dbPath)
  const inFile = (where: string) => {
    for (const id of [a.chainId, b.chainId])
      for (const level of ['unsafe', 'cross-unsafe'] as const)
        assert.is(
          file.head(id, level)?.hash,
          sup.indexer!.reader.head(id, level)?.hash,
          `${where}: ${id} ${level} in the file`,
        )
  }
  try {
    for (let round = 0; round < 5; round++) {
      const [m] = (await emitInitiating(a, signer)) as [InitiatingMessage]
      const exec = (await sendExecuting(b, signer, m)).blockNumber
      const [after] = (await emitInitiating(b, signer)) as [InitiatingMessage]
      await untilIndexed(
        sup.indexer!,
        `round ${round}: B cross-unsafe past its executing block ${exec} and the message after it`,
        () => cross(b.chainId) >= after.identifier.blockNumber && cross(a.chainId) >= m.identifier.blockNumber,
      )
      inFile(`round ${round}`)
      assert.is(answerCode(await checkAt(m, 'cross-unsafe')), 0, `round ${round}: the executed message`)
      assert.is(answerCode(await checkAt(after, 'cross-unsafe')), 0, `round ${round}: the message after it`)
    }
  } finally {
    running = false
    await Promise.all(clients)
    file.close()
  }
  const answered = [...codes.values()].reduce((n, c) => n + c, 0)
  assert.equal([...codes.keys()], [0], `every check of the settled message valid: ${JSON.stringify([...codes])}`)
  assert.ok(answered > 50, `${answered} checks ran meanwhile`)
})

test.run()
