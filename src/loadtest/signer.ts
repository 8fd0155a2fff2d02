import { createRequire } from 'node:module'
import { serializeTransaction, type TransactionSerializableEIP1559 } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { Hex } from '../interop/index.js'
import { bytesToHex, hexToBytes } from '../util/hex.js'
import { keccak256 } from '../util/keccak.js'
import { LoadtestError } from './errors.js'

type NativeSign = { ecdsaSign(msg32: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number } }

/** One account that signs EIP-1559 transactions. */
export type Signer = { address: Hex; sign(tx: TransactionSerializableEIP1559): Hex }

let native: NativeSign | undefined | null

/**
 * A signer on libsecp256k1 (the `secp256k1` package's binding, as the ingress's sender recovery):
 * viem's noble signing took 4.7 ms a transaction on this loaded box, too slow to sign a run's
 * thousands in advance (native: ~0.1 ms).
 */
export function signer(privateKey: Hex): Signer {
  const account = privateKeyToAccount(privateKey)
  if (native === undefined) {
    try {
      native = createRequire(import.meta.url)('secp256k1/bindings') as NativeSign
    } catch {
      native = null
    }
  }
  const key = hexToBytes(privateKey)
  if (native === null)
    throw new LoadtestError(
      'the secp256k1 native binding did not load (npm ci builds it): ingress transactions cannot be signed fast enough',
    )
  const secp = native
  return {
    address: account.address,
    sign(tx) {
      const hash = keccak256(hexToBytes(serializeTransaction(tx)))
      const { signature, recid } = secp.ecdsaSign(hash, key)
      return serializeTransaction(tx, {
        r: bytesToHex(signature.subarray(0, 32)),
        s: bytesToHex(signature.subarray(32, 64)),
        yParity: recid,
      })
    },
  }
}

/** The i-th sender derived from a funding key: keccak256(key ‖ "loadtest" ‖ i), the same every run. */
export function derivedKey(fundingKey: Hex, i: number): Hex {
  const seed = new Uint8Array([...hexToBytes(fundingKey), ...Buffer.from(`loadtest${i}`)])
  return bytesToHex(keccak256(seed))
}
