import { readFileSync } from 'node:fs'
import { setTimeout as pause } from 'node:timers/promises'
import { RpcClient } from '../../rpc/index.js'
import { toQuantity } from '../../util/hex.js'
import { LoadtestError } from '../errors.js'
import type { StepKind } from '../scenario.js'
import { type ClusterManifest, chainOf, leaderOf, processNamed } from './manifest.js'
import { type Body, duration, keys, noExpect, object } from './stepBody.js'

/** Attempts at the cut: a late block of the old leader can still land on the new leader's engine after it. */
const ATTEMPTS = 3

function engineClient(m: ClusterManifest, url: string): RpcClient {
  if (!m.engineJwt) throw new LoadtestError('the manifest names no engineJwt: "reorg" needs the engines\' JWT secret')
  const jwtSecret = Buffer.from(readFileSync(m.engineJwt, 'utf8').trim().replace(/^0x/, ''), 'hex')
  return new RpcClient(url, { timeoutMs: 10_000, jwtSecret })
}

/**
 * Cuts chain `chain`'s unsafe chain back to block `to` − 1 and makes it stay cut, as after a
 * failover to a node that was behind: the conductor stand-in is paused (no move on health while the
 * next node's sequencer is held and its /healthz silent), that sequencer held (SIGSTOP), leadership moves
 * to it (conductor_transferLeaderToServer on the chain's conductor stand-in), one slot passes for the
 * old leader's last publication to land, its engine-sim is set back (`debug_setHead`, the removed
 * blocks' transactions back in its pool) and the sequencer continued (SIGCONT). Taking the lead, it
 * builds on its engine's head, so its first block starts the new branch and its publications move
 * the other two engines onto it. Held, the sequencer cannot read its head between the transfer and
 * the cut (which would rebuild the old branch). Checked: the new branch's block at that height
 * within eight slots (at least 8 s), else tried again on the next node. Returns the depth cut.
 */
export async function cutChain(
  m: ClusterManifest,
  chain: string,
  to: { blockNumber: number; blockHash: string },
  slotMs: number,
  now: () => number,
): Promise<{ node: string; pid: number | null; depth: number; attempts: number; atMs: number }> {
  const c = chainOf(m, chain)
  const conductor = new RpcClient(c.conductor, { timeoutMs: 10_000 })
  try {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const leader = await leaderOf(m, c.name, 10_000)
      const row = Number(leader.slice(c.name.length))
      const id = `${c.name}${(row % 3) + 1}`
      const members = await conductor.call<{ id: string; addr: string }[]>('conductor_clusterMembership')
      const addr = members.find((x) => x.id === id)?.addr
      if (!addr) throw new LoadtestError(`chain ${c.name}: the conductor stand-in has no member ${id}`)
      const proc = processNamed(m, `engine-sim-${id}`)
      if (!proc.engine) throw new LoadtestError(`engine-sim-${id} has no engine URL in the manifest`)
      const seq = m.processes.find((p) => p.name === `sequencer-${id}`)?.pid ?? null
      const engine = engineClient(m, proc.engine)
      let held = false
      // Paused, the stand-in moves no leadership on health: the held sequencer's /healthz does not answer.
      await conductor.call('conductor_pause')
      try {
        const head = Number(BigInt(await engine.call<string>('eth_blockNumber')))
        if (seq !== null) {
          process.kill(seq, 'SIGSTOP')
          held = true
        }
        const atMs = now()
        await conductor.call('conductor_transferLeaderToServer', [id, addr])
        await pause(slotMs)
        await engine.call('debug_setHead', [toQuantity(BigInt(to.blockNumber - 1))])
        if (held) {
          process.kill(seq!, 'SIGCONT')
          held = false
        }
        // The new branch's block `to` (another hash), or the cut was undone.
        const end = performance.now() + Math.max(8_000, 8 * slotMs)
        while (performance.now() < end) {
          const b = await engine
            .call<{ hash: string } | null>('eth_getBlockByNumber', [toQuantity(BigInt(to.blockNumber)), false])
            .catch(() => null)
          if (b && b.hash.toLowerCase() !== to.blockHash)
            return { node: id, pid: proc.pid, depth: head - to.blockNumber + 1, attempts: attempt, atMs }
          if (b && b.hash.toLowerCase() === to.blockHash) {
            // a late block of the old leader landed after the cut: the engine is back on the old branch
            const h = Number(BigInt(await engine.call<string>('eth_blockNumber')))
            if (h > to.blockNumber) break
          }
          await pause(100)
        }
      } finally {
        if (held) process.kill(seq!, 'SIGCONT')
        engine.close()
        await conductor.call('conductor_resume').catch(() => undefined)
      }
    }
  } finally {
    conductor.close()
  }
  throw new LoadtestError(`chain ${chain}: the reorg did not hold after ${ATTEMPTS} attempts`)
}

/**
 * `{"reorg": {"chain": "A", "executedOn": ["B"], "logs": 8, "after": "4s", "pinFor": "5s"}}`: needs
 * running traffic. Emits `logs` initiating logs on `chain` (one emitter transaction through its
 * ingress), waits two slots for the supervisors to index them, then makes the valid interop
 * transactions of `executedOn` execute only those logs; after `after` it reorgs `chain` to the block
 * before them (cutChain), keeps the pin `pinFor` longer (the ingresses must now refuse them), and
 * returns the traffic to its harvested logs. The figures' `reorg` counts every transaction that
 * executed a vanished log and what became of it.
 */
export const reorg: StepKind = {
  validate(body, ctx) {
    const b = object(body, 'reorg', ctx)
    const what = `step ${ctx.index + 1}: reorg`
    keys(b, ['chain', 'executedOn', 'logs', 'after', 'pinFor'], 'reorg', ctx)
    if (typeof b.chain !== 'string' || b.chain.length === 0) throw new LoadtestError(`${what}.chain: name a chain (A)`)
    const on = b.executedOn
    if (!Array.isArray(on) || on.length === 0 || !on.every((x) => typeof x === 'string' && x !== b.chain))
      throw new LoadtestError(`${what}.executedOn: a list of other chains (["B"])`)
    if (b.logs !== undefined && !(Number.isInteger(b.logs) && (b.logs as number) >= 1 && (b.logs as number) <= 64))
      throw new LoadtestError(`${what}.logs: 1..64`)
    for (const k of ['after', 'pinFor']) if (b[k] !== undefined) duration(b[k], `${what}.${k}`)
  },
  async run(body, expect, ctx) {
    noExpect(expect, 'reorg', ctx)
    const b = body as Body
    const s = ctx.chaos
    const m = await s.start()
    const tr = s.traffic
    if (!tr) throw new LoadtestError('"reorg" needs running traffic (a "traffic" step before it)')
    const chain = chainOf(m, b.chain as string).name
    const on = b.executedOn as string[]
    const emitted = await tr.t.emitLogs(chain, (b.logs as number | undefined) ?? 8)
    await pause(Math.max(2_000, 2 * m.slotMs))
    tr.t.pin(on, emitted)
    s.faults.push({
      atMs: s.now(),
      action: 'pin',
      target: `chain ${on.join(', ')}`,
      pid: null,
      detail: `valid interop transactions execute the ${emitted.logs.length} logs of ${chain} block ${emitted.source.blockNumber}`,
    })
    await pause(b.after !== undefined ? duration(b.after, 'after') : 4_000)
    const cut = await cutChain(m, chain, emitted.source, m.slotMs, () => s.now())
    s.faults.push({
      atMs: cut.atMs,
      action: 'reorg',
      target: `engine-sim-${cut.node}`,
      pid: cut.pid,
      detail: `chain ${chain} cut to block ${emitted.source.blockNumber - 1} (depth ${cut.depth}), leadership to ${cut.node}${cut.attempts > 1 ? ` (attempt ${cut.attempts})` : ''}`,
    })
    await pause(b.pinFor !== undefined ? duration(b.pinFor, 'pinFor') : 5_000)
    tr.t.pin(on, undefined)
    s.faults.push({ atMs: s.now(), action: 'unpin', target: `chain ${on.join(', ')}`, pid: null })
    return { expectations: [] }
  },
}
