import { createKeccak } from 'hash-wasm'
import { viemUtils } from './lazyViem.js'

/**
 * keccak256 over bytes, synchronous. Uses hash-wasm (WASM, ~13x viem's JS on this machine)
 * once `initKeccak()` has resolved, and viem's (noble) before that, so pure code can call it
 * anywhere (a worker that never awaits init still gets correct hashes, only slower).
 */
type Hasher = Awaited<ReturnType<typeof createKeccak>>
let wasm: Hasher | undefined
let loading: Promise<void> | undefined

/**
 * viem's keccak, from viem/utils loaded on the first hash before initKeccak() resolved
 * (util/lazyViem.ts): importing viem's root loads ~400 modules (~0.5 CPU-s), which every role paid
 * at start for a fallback that none of them uses once started.
 */
function jsKeccak(data: Uint8Array): Uint8Array {
  return viemUtils().keccak256(data, 'bytes')
}

export function initKeccak(): Promise<void> {
  loading ??= createKeccak(256).then((h) => {
    wasm = h
  })
  return loading
}

/** Which implementation keccak256 uses right now (for logs, and for tests that check both). */
export function keccakImplementation(): 'js' | 'wasm' {
  return wasm ? 'wasm' : 'js'
}

export function keccak256(data: Uint8Array): Uint8Array {
  if (!wasm) return jsKeccak(data)
  wasm.init()
  wasm.update(data)
  return wasm.digest('binary')
}
