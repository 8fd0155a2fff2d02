import { createRequire } from 'node:module'
import { InvalidParamsError } from '../errors/index.js'
import type { Hex } from '../interop/index.js'
import { bytesToHex } from '../util/hex.js'
import { keccak256 } from '../util/keccak.js'
import { viemUtils } from '../util/lazyViem.js'
import { type SigningData, signingData } from './signingData.js'

/** The part of the `secp256k1` package (libsecp256k1 N-API binding) used here. */
type NativeSecp256k1 = {
  ecdsaRecover(signature: Uint8Array, recid: number, msg32: Uint8Array, compressed?: boolean): Uint8Array
}

/**
 * Recovers a transaction's sender (lower-case address). `native` is libsecp256k1 through the
 * `secp256k1` package's prebuilt binding, ~28x viem/noble on this machine
 * (bench/ingress/senderRecovery.bench.ts); `noble` is the fallback where the binding cannot load.
 */
export type SenderRecovery = {
  readonly implementation: 'native' | 'noble'
  recover(data: SigningData): Hex | Promise<Hex>
}

let cached: SenderRecovery | undefined

export function senderRecovery(prefer: 'native' | 'noble' = 'native'): SenderRecovery {
  if (prefer === 'noble') return nobleRecovery
  cached ??= loadNative() ?? nobleRecovery
  return cached
}

function loadNative(): SenderRecovery | undefined {
  let secp: NativeSecp256k1
  try {
    // The binding entry only: the package's own fallback is elliptic (pure JS), slower than noble.
    secp = createRequire(import.meta.url)('secp256k1/bindings') as NativeSecp256k1
  } catch {
    return undefined
  }
  return {
    implementation: 'native',
    recover({ signingHash, signature, recovery }) {
      let pub: Uint8Array
      try {
        pub = secp.ecdsaRecover(signature, recovery, signingHash, false)
      } catch {
        throw new InvalidParamsError('invalid sender: signature does not recover')
      }
      return addressOf(pub)
    },
  }
}

const nobleRecovery: SenderRecovery = {
  implementation: 'noble',
  async recover({ signingHash, signature, recovery }) {
    // Loaded only where the native binding does not: viem's utils are ~235 modules (~0.2 CPU-s) at start.
    const { recoverAddress } = viemUtils()
    try {
      const address = await recoverAddress({
        hash: signingHash,
        signature: {
          r: bytesToHex(signature.subarray(0, 32)),
          s: bytesToHex(signature.subarray(32)),
          yParity: recovery,
        },
      })
      return address.toLowerCase() as Hex
    } catch {
      throw new InvalidParamsError('invalid sender: signature does not recover')
    }
  },
}

/** Address of an uncompressed public key (0x04 ++ x ++ y): the last 20 bytes of keccak(x ++ y). */
function addressOf(pub: Uint8Array): Hex {
  return bytesToHex(keccak256(pub.subarray(1)).subarray(12))
}

/**
 * The signer of a decoded signed transaction (lower-case), with the process's recovery (native
 * when it loads), or undefined when the signature does not recover.
 */
export async function recoverSender(raw: Hex): Promise<Hex | undefined> {
  try {
    return await senderRecovery().recover(signingData(raw))
  } catch {
    return undefined
  }
}
