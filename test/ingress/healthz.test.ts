import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import { type Ingress, startIngress } from '../../src/ingress/index.js'
import { createLogger } from '../../src/util/logger.js'
import { spawnCli } from '../_helpers/cli.js'
import { type SupervisorDouble, startSupervisorDouble } from '../_helpers/supervisorDouble.js'

// Ingress /healthz reports what it depends on (issue 7, item 8): a real upstream (anvil), a real
// supervisor process killed with SIGKILL, and a second supervisor (a double) closed. 200 while
// everything answers, 200 "degraded" naming the dead supervisor while another answers, 503 when
// every supervisor is down, 503 when the upstream is; the up gauges follow.

type Body = {
  ok: boolean
  problems?: string[]
  degraded?: string[]
  upstream: { up: boolean | null }
  supervisorsUp: { url: string; up: boolean | null }[]
}

let anvil: Anvil | undefined
let double: SupervisorDouble | undefined
let ing: Ingress | undefined
let child: ReturnType<typeof spawnCli> | undefined

test.after(async () => {
  await ing?.close()
  await double?.close()
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await anvil?.stop()
})

async function health(): Promise<{ status: number; body: Body }> {
  await ing!.dependencies.nextRound()
  const res = await fetch(`${ing!.url}/healthz`)
  return { status: res.status, body: (await res.json()) as Body }
}

async function gauge(name: string): Promise<string[]> {
  const text = await (await fetch(`${ing!.url}/metrics`)).text()
  return text.split('\n').filter((l) => l.startsWith(name))
}

test('/healthz: degraded with a dead supervisor, 503 with every supervisor or the upstream down', async () => {
  anvil = await startAnvil({ chainId: 901 })
  child = spawnCli(['supervisor', '--rpc', anvil.url, '--backend', 'rpc', '--port', '0', '--poll', '200ms'])
  const exited = once(child, 'exit')
  let real: string | undefined
  for await (const line of createInterface({ input: child.stdout! })) {
    const rec = JSON.parse(line) as { msg?: string; url?: string }
    if (rec.msg === 'supervisor listening') {
      real = rec.url
      break
    }
  }
  assert.ok(real, 'no "supervisor listening" line')
  child.stdout!.resume()
  double = await startSupervisorDouble()
  ing = await startIngress(
    {
      port: 0,
      upstream: anvil.url,
      supervisor: [real!, double.url],
      healthInterval: 100,
      supervisorTimeout: 500,
      upstreamTimeout: 500,
    },
    { logger: createLogger('silent') },
  )

  let h = await health()
  assert.is(h.status, 200, JSON.stringify(h.body))
  assert.equal(
    h.body.supervisorsUp.map((s) => s.up),
    [true, true],
  )
  assert.is(h.body.upstream.up, true)
  assert.is(h.body.degraded, undefined)
  assert.equal(await gauge('superguard_ingress_upstream_up'), ['superguard_ingress_upstream_up 1'])

  child.kill('SIGKILL')
  await exited
  h = await health()
  assert.is(h.status, 200, JSON.stringify(h.body))
  assert.equal(h.body.degraded, [real])
  assert.equal(
    h.body.supervisorsUp.map((s) => s.up),
    [false, true],
  )
  assert.ok(
    (await gauge('superguard_ingress_supervisor_up')).includes(`superguard_ingress_supervisor_up{url="${real}"} 0`),
  )

  await double.close()
  double = undefined
  h = await health()
  assert.is(h.status, 503, JSON.stringify(h.body))
  assert.equal(h.body.problems, ['every supervisor is down'])

  await anvil.stop()
  h = await health()
  assert.is(h.status, 503)
  assert.equal(h.body.problems, [`upstream ${anvil.url} is down`, 'every supervisor is down'])
  assert.is(h.body.upstream.up, false)
  assert.equal(await gauge('superguard_ingress_upstream_up'), ['superguard_ingress_upstream_up 0'])
  anvil = undefined
})

test('/healthz: the upstream alone down is 503 naming it, the supervisors still up', async () => {
  const upstream = await startAnvil({ chainId: 901 })
  const sup = await startSupervisorDouble()
  const i = await startIngress(
    { port: 0, upstream: upstream.url, supervisor: [sup.url], healthInterval: 100, upstreamTimeout: 500 },
    { logger: createLogger('silent') },
  )
  try {
    await i.dependencies.nextRound()
    assert.is((await fetch(`${i.url}/healthz`)).status, 200)
    await upstream.stop()
    await i.dependencies.nextRound()
    const res = await fetch(`${i.url}/healthz`)
    const body = (await res.json()) as Body
    assert.is(res.status, 503)
    assert.equal(body.problems, [`upstream ${upstream.url} is down`])
    assert.equal(
      body.supervisorsUp.map((s) => s.up),
      [true],
    )
  } finally {
    await i.close()
    await sup.close()
    await upstream.stop()
  }
})

test.run()
