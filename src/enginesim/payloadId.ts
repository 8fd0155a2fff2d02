import { createHash } from 'node:crypto'
import type { Hex, PayloadAttributesV3 } from '../engine/types.js'
import { bytesToHex } from '../util/hex.js'

/**
 * Deterministic 8-byte payload id: sha256 over the parent hash and the attributes, first byte the
 * FCU version (3) as op-geth does, so two engine-sims given the same call return the same id.
 */
export function payloadId(parentHash: Hex, attrs: PayloadAttributesV3): Hex {
  const h = createHash('sha256')
    .update(parentHash.toLowerCase())
    .update(
      JSON.stringify([
        attrs.timestamp,
        attrs.prevRandao,
        attrs.suggestedFeeRecipient,
        attrs.withdrawals,
        attrs.parentBeaconBlockRoot,
        attrs.transactions ?? [],
        attrs.noTxPool ?? false,
        attrs.gasLimit ?? null,
        attrs.eip1559Params ?? null,
        attrs.minBaseFee ?? null,
      ]).toLowerCase(),
    )
    .digest()
  h[0] = 3
  return bytesToHex(h.subarray(0, 8))
}
