import { InvalidParamsError } from '../../errors/index.js'
import type { RpcMethod } from '../../rpc/index.js'
import { type Election, NONVOTER, VOTER } from './election.js'
import { ConductorRefusedError } from './errors.js'

/** What one node's listener answers for that node (Leader, SequencerHealthy and commits are per node). */
export function conductorMethods(self: string, election: Election): Map<string, RpcMethod> {
  const m = new Map<string, RpcMethod>()
  const str = (v: unknown, name: string): string => {
    if (typeof v !== 'string' || v.length === 0 || v.length > 256)
      throw new InvalidParamsError(`${name}: expected a string`)
    return v
  }
  m.set('conductor_pause', () => {
    election.paused = true
    return null
  })
  m.set('conductor_resume', () => {
    election.paused = false
    return null
  })
  m.set('conductor_paused', () => election.paused)
  // The stand-in never stops (op-conductor's Stop ends its process; here that is the devnet's job).
  m.set('conductor_stopped', () => false)
  m.set('conductor_active', () => !election.paused)
  m.set('conductor_sequencerHealthy', () => election.healthy(self))
  m.set('conductor_leader', () => election.isLeader(self))
  m.set('conductor_leaderWithID', () => election.leaderInfo())
  m.set('conductor_clusterMembership', () => election.membership())
  m.set('conductor_addServerAsVoter', (p) => {
    election.setSuffrage(str(p[0], 'id'), str(p[1], 'addr'), VOTER)
    return null
  })
  m.set('conductor_addServerAsNonvoter', (p) => {
    election.setSuffrage(str(p[0], 'id'), str(p[1], 'addr'), NONVOTER)
    return null
  })
  m.set('conductor_removeServer', (p) => {
    const id = str(p[0], 'id')
    const addr = election.membership().find((s) => s.id === id)?.addr
    if (addr === undefined) throw new ConductorRefusedError(`unknown server ${id}`)
    // Removing is demoting here: the stand-in's listeners are fixed, so the node stays, unable to lead.
    election.setSuffrage(id, addr, NONVOTER)
    return null
  })
  m.set('conductor_transferLeader', () => {
    election.transfer()
    return null
  })
  m.set('conductor_transferLeaderToServer', (p) => {
    election.transferTo(str(p[0], 'id'), str(p[1], 'addr'))
    return null
  })
  m.set('conductor_commitUnsafePayload', (p) => {
    const payload = (p[0] as { executionPayload?: { blockNumber?: unknown; blockHash?: unknown } } | null)
      ?.executionPayload
    if (typeof payload?.blockNumber !== 'string' || !/^0x[0-9a-fA-F]{1,16}$/.test(payload.blockNumber))
      throw new InvalidParamsError('executionPayload.blockNumber: expected a hex quantity')
    if (typeof payload.blockHash !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(payload.blockHash))
      throw new InvalidParamsError('executionPayload.blockHash: expected 32 bytes of hex')
    election.commit(self, BigInt(payload.blockNumber), payload.blockHash)
    return null
  })
  return m
}
