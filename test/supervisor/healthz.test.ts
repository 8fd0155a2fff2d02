import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { accessListEntries, emitInitiating } from '../../src/devnet/messages.js'
import { type Supervisor, startSupervisor, supervisorConfig } from '../../src/supervisor/index.js'
import { toQuantity } from '../../src/util/hex.js'
import { startInteropChains } from '../_helpers/interopChains.js'
import { answerCode, jsonRpc } from '../_helpers/jsonRpc.js'
import { type RpcGate, startRpcGate } from '../_helpers/rpcGate.js'

// /healthz and -320400 before a chain is ready, for both backends: the chain's RPC sits behind a
// gate that holds every request but eth_chainId, so "not ready" lasts exactly until we open it.

const dir = mkdtempSync(join(tmpdir(), 'sg-supervisor-health-'))
let chains: Awaited<ReturnType<typeof startInteropChains>>
const gates: RpcGate[] = []
const sups: Supervisor[] = []

test.before(async () => {
  chains = await startInteropChains()
})

test.after(async () => {
  await Promise.all(sups.map((s) => s.close()))
  await Promise.all(gates.map((g) => g.close()))
  await chains?.stop()
  rmSync(dir, { recursive: true, force: true })
})

for (const backend of ['index', 'rpc'] as const) {
  test(`${backend} backend: /healthz 503 and checks -320400 before the backfill, 200 and answers after`, async () => {
    const { a, b, signer } = chains
    const [msg] = await emitInitiating(a, signer)
    const gate = await startRpcGate(a.url)
    gates.push(gate)
    const sup = await startSupervisor(
      supervisorConfig({
        argv: [
          '--rpc',
          gate.url,
          '--rpc',
          b.url,
          '--backend',
          backend,
          '--db',
          join(dir, backend, 'sv.db'),
          '--port',
          '0',
          '--poll',
          '1s',
          '--log-level',
          'silent',
        ],
      }),
      { progress: false },
    )
    sups.push(sup)
    const params = [
      accessListEntries([msg!]),
      'unsafe',
      { chainID: '902', timestamp: toQuantity(msg!.identifier.timestamp + 2n) },
    ]

    const before = await fetch(`${sup.url}/healthz`)
    assert.is(before.status, 503)
    const body = (await before.json()) as { ok: boolean; chains: { chainId: string; problem?: string }[] }
    assert.is(body.ok, false)
    assert.is(body.chains.find((c) => c.chainId === '901')?.problem, 'backfilling')
    assert.is(answerCode(await jsonRpc(sup.url, 'supervisor_checkAccessList', params)), -320400)
    assert.is(answerCode(await jsonRpc(sup.url, 'supervisor_syncStatus')), -320400)

    gate.open()
    await sup.ready
    const after = await fetch(`${sup.url}/healthz`)
    assert.is(after.status, 200, JSON.stringify(await after.clone().json()))
    assert.equal(((await after.json()) as { ok: boolean }).ok, true)
    assert.is(answerCode(await jsonRpc(sup.url, 'supervisor_checkAccessList', params)), 0)
  })
}

test.run()
