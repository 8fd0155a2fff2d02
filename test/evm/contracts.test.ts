import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { keccak256, toHex } from 'viem'
import { EMITTER_TOPIC, VALIDATE_MESSAGE_SELECTOR } from '../../src/evm/index.js'

// The contracts' constants are written out (loading src/evm hashes nothing); here they are hashed again.

test('the emitter topic and the validateMessage selector are the hashes of their signatures', () => {
  assert.is(EMITTER_TOPIC, keccak256(toHex('superguard.Emitter.Message(uint256,bytes)')))
  assert.is(
    VALIDATE_MESSAGE_SELECTOR,
    keccak256(toHex('validateMessage((address,uint256,uint256,uint256,uint256),bytes32)')).slice(0, 10),
  )
})

test.run()
