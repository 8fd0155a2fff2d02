import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startEngineSim } from '../../src/enginesim/start.js'
import { sequencerConfig, startSequencer } from '../../src/sequencer/start.js'
import { createLogger } from '../../src/util/logger.js'
import { jsonRpc } from '../_helpers/jsonRpc.js'
import { CHAIN_ID, jwtFile } from './_env.js'

// SequencerHandle.rewind (standalone mode; the devnet's unsafe reorg): the next slot builds on the
// older block, and the blocks above it leave the canonical chain of the engine and of the replica.

test('rewind: the next block is built on the older block and replaces the one above it, on the engine and its replica', async () => {
  const jwt = jwtFile()
  const genesisTime = Math.floor(Date.now() / 1000) - 5
  const [engine, replica] = await Promise.all(
    [0, 1].map(() => startEngineSim({ execution: 'sim', jwtSecret: jwt.secret, chainId: CHAIN_ID, genesisTime })),
  )
  const seq = await startSequencer(
    sequencerConfig({
      engine: `${engine!.url},jwt=${jwt.path}`,
      blockTime: 300,
      replica: [`${replica!.url},jwt=${jwt.path}`],
      listenBuilder: '127.0.0.1:0',
      listenDebug: '127.0.0.1:0',
      logLevel: 'silent',
    }),
    { logger: createLogger('silent') },
  )
  const hashAt = async (url: string, n: number) =>
    ((await jsonRpc(url, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false])).result as { hash: string } | null)
      ?.hash
  try {
    await seq.events.waitFor('published', (e) => e.number >= 3n)
    const one = await hashAt(engine!.url, 1)
    const two = await hashAt(engine!.url, 2)
    assert.ok(one && two)
    const replaced = seq.events.waitFor('sealed', (e) => e.number === 2n && e.blockHash !== two)
    seq.rewind(one as `0x${string}`)
    const again = await replaced
    await seq.events.waitFor('published', (e) => e.blockHash === again.blockHash)
    assert.is(await hashAt(engine!.url, 2), again.blockHash, "the engine's block 2 is the new one")
    assert.is(await hashAt(replica!.url, 2), again.blockHash, "and the replica's")
    const block = (await jsonRpc(engine!.url, 'eth_getBlockByHash', [again.blockHash, false])).result as {
      parentHash: string
    }
    assert.is(block.parentHash, one)
  } finally {
    await seq.close()
    await Promise.all([engine!.close(), replica!.close()])
  }
})

test.run()
