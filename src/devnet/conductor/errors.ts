import { ExecutionCode, ServiceError } from '../../errors/index.js'

// go-ethereum's RPC server answers a Go error with -32000 and its text; op-conductor's texts kept.

/** A commit (or leader-only call) from a node that is not the leader: hashicorp/raft's ErrNotLeader. */
export class NotLeaderError extends ServiceError {
  override name = 'NotLeaderError'
  constructor(id: string) {
    super('CONDUCTOR_NOT_LEADER', ExecutionCode.ServerError, 'node is not the leader', { details: id })
  }
}

/** A membership or transfer call naming a server the stand-in does not have, or one it cannot honour. */
export class ConductorRefusedError extends ServiceError {
  override name = 'ConductorRefusedError'
  constructor(message: string) {
    super('CONDUCTOR_REFUSED', ExecutionCode.ServerError, message)
  }
}
