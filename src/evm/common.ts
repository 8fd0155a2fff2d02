import { type Common, createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common'
import { type Fork, forkAtLeast } from '../engine/fork.js'
import { keccak256 } from '../util/keccak.js'

/**
 * The Ethereum rules under each OP fork engine-sim runs (op-geth enables them by the L1 fork it
 * tracks): Ecotone and Holocene execute as Cancun (EIP-1153, 4788, 5656, 6780, 7516; no blob
 * transactions on OP), Isthmus and Jovian as Prague (adds EIP-7702, 7623, 2537, 2935).
 */
export function hardforkOf(fork: Fork): Hardfork {
  return forkAtLeast(fork, 'isthmus') ? Hardfork.Prague : Hardfork.Cancun
}

/** ethereumjs' chain rules for `chainId` under `fork`, hashing with our WASM keccak (~13x noble's). */
export function evmCommon(chainId: number, fork: Fork): Common {
  return createCustomCommon({ chainId, name: `op-${chainId}` }, Mainnet, {
    hardfork: hardforkOf(fork),
    customCrypto: { keccak256 },
  })
}
