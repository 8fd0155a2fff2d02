import { readFileSync } from 'node:fs'

/** What the supervisor reads of an op-node rollup config JSON (op-node/rollup/types.go field names). */
export type RollupChain = {
  chainId: bigint
  genesisNumber: bigint
  genesisTime: bigint
  blockTime: bigint
  /** The interop (Lagoon) activation: its block number and timestamp; undefined when not scheduled. */
  activation: { block: bigint; timestamp: bigint } | undefined
}

/**
 * Reads `--rollup-config FILE`: `l2_chain_id`, `genesis.l2.number`, `genesis.l2_time`,
 * `block_time` and the interop activation time, `lagoon_time` (the fork's name since optimism#21105)
 * or, in older files, `interop_time`. The activation block is the first block at or after that
 * time (op-node's IsInteropActivationBlock), the genesis block when the fork is active at genesis.
 * Throws a one-line message naming the file and the field.
 */
export function readRollupConfig(path: string): RollupChain {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new Error(`--rollup-config ${path}: ${(err as NodeJS.ErrnoException).code ?? 'invalid JSON'}`)
  }
  return parseRollupConfig(json, path)
}

export function parseRollupConfig(json: unknown, path = 'rollup config'): RollupChain {
  const bad = (what: string) => new Error(`--rollup-config ${path}: ${what}`)
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw bad('expected a JSON object')
  const c = json as Record<string, unknown>
  const genesis = c.genesis as Record<string, unknown> | undefined
  const l2 = genesis?.l2 as Record<string, unknown> | undefined
  const chainId = uint(c.l2_chain_id, 'l2_chain_id', bad)
  const blockTime = uint(c.block_time, 'block_time', bad)
  if (blockTime === 0n) throw bad('block_time must be positive')
  const genesisNumber = uint(l2?.number, 'genesis.l2.number', bad)
  const genesisTime = uint(genesis?.l2_time, 'genesis.l2_time', bad)
  const rawTime = c.lagoon_time ?? c.interop_time
  let activation: RollupChain['activation']
  if (rawTime !== undefined && rawTime !== null) {
    const t = uint(rawTime, c.lagoon_time !== undefined ? 'lagoon_time' : 'interop_time', bad)
    const after = t > genesisTime ? (t - genesisTime + blockTime - 1n) / blockTime : 0n
    activation = { block: genesisNumber + after, timestamp: genesisTime + after * blockTime }
  }
  return { chainId, genesisNumber, genesisTime, blockTime, activation }
}

function uint(v: unknown, field: string, bad: (what: string) => Error): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  if (typeof v === 'string' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) return BigInt(v)
  throw bad(`${field} must be a non-negative integer, got ${JSON.stringify(v) ?? 'nothing'}`)
}
