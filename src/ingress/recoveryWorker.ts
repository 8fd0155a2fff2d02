import { parentPort } from 'node:worker_threads'
import type { Hex } from '../interop/index.js'
import { initKeccak } from '../util/keccak.js'
import { senderRecovery } from './senderRecovery.js'
import { signingData } from './signingData.js'

/** Worker side of SenderRecoveryPool: a batch of raw transactions in, their senders (or null) out. */
await initKeccak()
const recovery = senderRecovery()
parentPort!.on('message', async (msg: { id: number; raws: Hex[] }) => {
  const senders: (Hex | null)[] = []
  for (const raw of msg.raws) {
    try {
      const s = recovery.recover(signingData(raw))
      senders.push(typeof s === 'string' ? s : await s)
    } catch {
      senders.push(null)
    }
  }
  parentPort!.postMessage({ id: msg.id, senders })
})
