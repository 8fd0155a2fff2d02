import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { DevnetChain } from '../../src/devnet/chain.js'
import { DEV_KEYS, DevSigner } from '../../src/devnet/messages.js'
import { Nonces } from '../../src/devnet/traffic.js'
import { startEngineSim } from '../../src/enginesim/start.js'
import { RpcClient } from '../../src/rpc/index.js'
import { jwtFile } from '../sequencer/_env.js'

// The devnet's generator counts nonces itself (fresh chains start at 0); after a failed round it
// re-reads them from the engine (`pending`: state nonce plus the pool's consecutive transactions).

test('Nonces: counted from 0 as transactions are accepted, re-read from the engine after a failure', async () => {
  const engine = await startEngineSim({ jwtSecret: jwtFile().secret, chainId: 902 })
  const rpc = new RpcClient(engine.url, { timeoutMs: 5000 })
  const chain = { chainId: 902n, url: engine.url, rpc } as unknown as DevnetChain
  const signer = new DevSigner(DEV_KEYS[0])
  const nonces = new Nonces()
  try {
    assert.is(nonces.peek(902n, signer), 0)
    for (let i = 0; i < 3; i++) {
      const raw = await signer.sign(
        { url: engine.url, chainId: 902n, client: undefined as never },
        { to: DEV_KEYS[0].slice(0, 42) as `0x${string}`, data: '0x', gas: 30_000n, nonce: nonces.peek(902n, signer) },
      )
      await rpc.call('eth_sendRawTransaction', [raw])
      nonces.use(902n, signer)
    }
    assert.is(nonces.peek(902n, signer), 3)
    assert.is(nonces.peek(901n, signer), 0, 'per chain')
    // A round that used a nonce whose transaction never reached the pool: the count runs ahead.
    nonces.use(902n, signer)
    await nonces.resync([{ chain, signer }])
    assert.is(nonces.peek(902n, signer), 3, 'the three pooled transactions, no more')
  } finally {
    rpc.close()
    await engine.close()
  }
})

test.run()
