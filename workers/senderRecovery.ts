import { type SenderRecovery, senderRecovery } from '../src/engine/senderRecovery.js'
import { signingData } from '../src/engine/signingData.js'
import type { Hex } from '../src/interop/index.js'
import { initKeccak } from '../src/util/keccak.js'

// Awaited in the task, not at top level: a module with top-level await cannot be require()d (see workers/blockHash.ts).
const keccakReady = initKeccak()
let recovery: SenderRecovery | undefined

/** Piscina task of SenderRecoveryPool: a batch of raw transactions in, their senders (or null) out. */
export default async function recoverSenders(raws: Hex[]): Promise<(Hex | null)[]> {
  await keccakReady
  recovery ??= senderRecovery()
  const senders: (Hex | null)[] = []
  for (const raw of raws) {
    try {
      const s = recovery.recover(signingData(raw))
      senders.push(typeof s === 'string' ? s : await s)
    } catch {
      senders.push(null)
    }
  }
  return senders
}
