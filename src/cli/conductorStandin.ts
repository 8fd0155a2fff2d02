import { conductorSpec } from '../devnet/conductor/options.js'
import { serviceCommand } from './serve.js'

export const command = serviceCommand({
  summary: "devnet only: op-conductor's RPC for one chain's sequencers (a stand-in, not consensus)",
  usage: 'superguard conductor-standin --node ID=HOST:PORT,health=URL [--node …] [options]',
  description:
    "A devnet stand-in for op-conductor: one listener per sequencer node answering op-conductor's RPC for that node (conductor_leader, conductor_leaderWithID, conductor_commitUnsafePayload, conductor_transferLeader, …), exactly one leader, moved when the leader's /healthz fails. One process decides: no raft, no quorum; it is not a consensus implementation.",
  spec: conductorSpec,
  async start(config, logger) {
    const { startConductorStandin } = await import('../devnet/conductor/start.js')
    return startConductorStandin(config, { logger })
  },
})
