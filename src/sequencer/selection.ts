import type { EngineVersion } from '../pbs/index.js'
import type { Candidate, ExecutionMode } from './types.js'

/** Why the local block was used, or 'best_value' when a builder block was. */
export type SelectionReason =
  | 'best_value'
  | 'disabled'
  | 'dry_run'
  | 'no_candidates'
  | 'min_gas_ratio'
  | 'known_block'
  | 'version_mismatch'

export type Selection =
  | { source: 'builder'; candidate: Candidate; reason: 'best_value' }
  | { source: 'local'; reason: Exclude<SelectionReason, 'best_value'>; best?: Candidate }

export type SelectionInput = {
  mode: ExecutionMode
  /** Validated candidates (engine answered VALID), at most one per builder. */
  candidates: readonly Candidate[]
  /** The local (engine-built) block: its gas used, for the min-gas-ratio guard. */
  localGasUsed: bigint
  /** The version op-node (or our clock) seals with; a candidate of another shape cannot be returned. */
  version: EngineVersion
  /** 0 disables. Builder blocks with gasUsed < ratio × local gasUsed are not used (rollup-boost `gas-used`). */
  minGasRatio: number
  /** Hashes that must never be handed out again (the engine head, blocks already returned for another payload id). */
  knownHashes?: ReadonlySet<string>
}

/** Fixed-point so the ratio compares as bigints: ratio × 1e6. */
const SCALE = 1_000_000n

function better(a: Candidate, b: Candidate): boolean {
  if (a.blockValue !== b.blockValue) return a.blockValue > b.blockValue
  return a.seq < b.seq
}

/**
 * The block to seal: the highest-value validated builder block (ties: the earlier arrival) among
 * those that pass the guards, else the local block with the reason. Pure and total.
 * Guards drop a candidate before the value comparison, so a fuller second-best builder block still
 * beats the local one; `reason` names the guard that dropped the best candidate when none remain.
 */
export function selectBlock(input: SelectionInput): Selection {
  if (input.mode === 'disabled') return { source: 'local', reason: 'disabled' }
  const ranked = [...input.candidates].sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0))
  const ratio = BigInt(Math.round(Math.max(0, input.minGasRatio) * Number(SCALE)))
  let firstDrop: 'min_gas_ratio' | 'known_block' | 'version_mismatch' | undefined
  let winner: Candidate | undefined
  for (const c of ranked) {
    const drop =
      c.engineVersion !== input.version
        ? 'version_mismatch'
        : input.knownHashes?.has(c.blockHash.toLowerCase())
          ? 'known_block'
          : ratio > 0n && c.gasUsed * SCALE < ratio * input.localGasUsed
            ? 'min_gas_ratio'
            : undefined
    if (drop === undefined) {
      winner = c
      break
    }
    firstDrop ??= drop
  }
  if (input.mode === 'dry_run')
    return winner ? { source: 'local', reason: 'dry_run', best: winner } : { source: 'local', reason: 'dry_run' }
  if (!winner) return { source: 'local', reason: firstDrop ?? 'no_candidates' }
  return { source: 'builder', candidate: winner, reason: 'best_value' }
}
