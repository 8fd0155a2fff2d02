import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type ConductorStandin, startConductorStandin } from '../../src/devnet/conductor/index.js'
import { freePort } from '../../src/util/freePort.js'
import { createLogger } from '../../src/util/logger.js'

/** A sequencer's /healthz whose status the test sets; `null` = no answer (a hung node). */
async function healthz(): Promise<{ url: string; status: number | null; server: Server }> {
  const h = { url: '', status: 200 as number | null, server: undefined as unknown as Server }
  h.server = createServer((_req, res) => {
    if (h.status === null) return // never answers
    res.writeHead(h.status).end('{}')
  })
  await new Promise<void>((r) => h.server.listen(0, '127.0.0.1', r))
  h.url = `http://127.0.0.1:${(h.server.address() as AddressInfo).port}/healthz`
  return h
}

async function rpc<T>(
  url: string,
  method: string,
  params: unknown[] = [],
): Promise<{ result?: T; error?: { code: number; message: string } }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  return (await res.json()) as never
}

async function until(fn: () => Promise<boolean>, ms = 5_000, what = ''): Promise<void> {
  const end = Date.now() + ms
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

async function setup() {
  const nodes = await Promise.all([healthz(), healthz(), healthz()])
  const ports = [await freePort(), await freePort(), await freePort()]
  const c: ConductorStandin = await startConductorStandin(
    {
      node: nodes.map((n, i) => `N${i + 1}=127.0.0.1:${ports[i]},health=${n.url}`),
      // 200 ms: a shorter answer deadline fails healthy nodes on a loaded 2-core box.
      healthInterval: 200,
      unhealthyAfter: 2,
      // No start-up grace here (the last test has one): a node failing from the first reading is failing.
      startGrace: 0,
    },
    { logger: createLogger('silent') },
  )
  const url = (i: number) => c.urls[`N${i}`]!
  return {
    nodes,
    ports,
    c,
    url,
    async close() {
      await c.close()
      for (const n of nodes) n.server.closeAllConnections()
      await Promise.all(nodes.map((n) => new Promise((r) => n.server.close(r))))
    },
  }
}

const payload = (n: number) => ({
  executionPayload: { blockNumber: `0x${n.toString(16)}`, blockHash: `0x${'ab'.repeat(32)}` },
  parentBeaconBlockRoot: `0x${'00'.repeat(32)}`,
})

test("each node's URL answers for that node: one leader, op-conductor's shapes", async () => {
  const env = await setup()
  try {
    const leading = await Promise.all(
      [1, 2, 3].map(async (i) => (await rpc<boolean>(env.url(i), 'conductor_leader')).result),
    )
    assert.equal(leading, [true, false, false])
    for (const i of [1, 2, 3])
      assert.equal((await rpc(env.url(i), 'conductor_leaderWithID')).result, {
        id: 'N1',
        addr: `127.0.0.1:${env.ports[0]}`,
        suffrage: 0,
      })
    assert.is((await rpc(env.url(2), 'conductor_active')).result, true)
    assert.is((await rpc(env.url(1), 'conductor_commitUnsafePayload', [payload(7)])).result, null)
    const refused = await rpc(env.url(2), 'conductor_commitUnsafePayload', [payload(7)])
    assert.is(refused.error?.code, -32000)
    assert.match(refused.error!.message, /node is not the leader/)
    assert.is((await rpc(env.url(1), 'conductor_commitUnsafePayload', [{}])).error?.code, -32602)
    const members = (await rpc<{ id: string }[]>(env.url(3), 'conductor_clusterMembership')).result!
    assert.equal(
      members.map((m) => m.id),
      ['N1', 'N2', 'N3'],
    )
  } finally {
    await env.close()
  }
})

test("the leader's /healthz failing (503, then no answer) moves leadership to a healthy node", async () => {
  const env = await setup()
  try {
    env.nodes[0]!.status = 503
    await until(async () => (await rpc<{ id: string }>(env.url(1), 'conductor_leaderWithID')).result?.id === 'N2')
    assert.is((await rpc(env.url(1), 'conductor_leader')).result, false)
    assert.is((await rpc(env.url(2), 'conductor_leader')).result, true)
    env.nodes[1]!.status = null
    await until(
      async () => (await rpc<{ id: string }>(env.url(1), 'conductor_leaderWithID')).result?.id === 'N3',
      8_000,
    )
    const metrics = await (await fetch(`${env.url(1)}/metrics`)).text()
    assert.match(metrics, /superguard_conductor_leader_changes_total\{reason="unhealthy"\} 2/)
    assert.match(metrics, /superguard_conductor_leader\{node="N3"\} 1/)
  } finally {
    await env.close()
  }
})

test('with no healthy node the leader stays; transfers name a voter by id and addr', async () => {
  const env = await setup()
  try {
    for (const n of env.nodes) n.status = 503
    // Five probe rounds in which nothing may happen (there is no event for leadership staying put).
    await new Promise((r) => setTimeout(r, 1000))
    assert.is((await rpc<{ id: string }>(env.url(1), 'conductor_leaderWithID')).result?.id, 'N1')
    for (const n of env.nodes) n.status = 200
    await until(async () => ['N1', 'N2', 'N3'].every((id) => env.c.election.healthy(id)))
    const bad = await rpc(env.url(1), 'conductor_transferLeaderToServer', ['N3', '127.0.0.1:1'])
    assert.is(bad.error?.code, -32000)
    await rpc(env.url(1), 'conductor_transferLeaderToServer', ['N3', `127.0.0.1:${env.ports[2]}`])
    assert.is((await rpc(env.url(3), 'conductor_leader')).result, true)
    await rpc(env.url(3), 'conductor_transferLeader')
    assert.is((await rpc<{ id: string }>(env.url(2), 'conductor_leaderWithID')).result?.id, 'N1')
    // A non-voter cannot lead: demoting the leader moves leadership.
    await rpc(env.url(1), 'conductor_removeServer', ['N1'])
    assert.is((await rpc<{ id: string }>(env.url(2), 'conductor_leaderWithID')).result?.id, 'N2')
  } finally {
    await env.close()
  }
})

test('a leader still starting (never healthy yet) keeps leadership while another node is ready first', async () => {
  const env = await setup()
  try {
    await env.c.close()
    env.nodes[0]!.status = 503
    const ports = [await freePort(), await freePort(), await freePort()]
    const c = await startConductorStandin(
      { node: env.nodes.map((n, i) => `N${i + 1}=127.0.0.1:${ports[i]},health=${n.url}`), healthInterval: 200 },
      { logger: createLogger('silent') },
    )
    try {
      // Five probe rounds in which N2 is ready and N1 not yet: leadership stays (no event to await).
      await new Promise((r) => setTimeout(r, 1000))
      assert.is((await rpc<{ id: string }>(c.urls.N2!, 'conductor_leaderWithID')).result?.id, 'N1')
      // Once healthy, a failure is a failure.
      env.nodes[0]!.status = 200
      await until(
        async () => c.election.seenHealthy('N1') && (await rpc(c.urls.N1!, 'conductor_leader')).result === true,
      )
      env.nodes[0]!.status = 503
      await until(async () => (await rpc<{ id: string }>(c.urls.N2!, 'conductor_leaderWithID')).result?.id === 'N2')
    } finally {
      await c.close()
    }
  } finally {
    await env.close()
  }
})

test.run()
