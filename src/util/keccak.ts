import { createKeccak } from 'hash-wasm'
import { keccak256 as viemKeccak } from 'viem'

/**
 * keccak256 over bytes, synchronous. Uses hash-wasm (WASM, ~13x viem's JS on this machine)
 * once `initKeccak()` has resolved, and viem's (noble) before that, so pure code can call it
 * anywhere (a worker that never awaits init still gets correct hashes, only slower).
 */
type Hasher = Awaited<ReturnType<typeof createKeccak>>
let wasm: Hasher | undefined
let loading: Promise<void> | undefined

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
  if (!wasm) return viemKeccak(data, 'bytes')
  wasm.init()
  wasm.update(data)
  return wasm.digest('binary')
}
