import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type EngineSimHandle, startEngineSim } from '../../src/enginesim/start.js'
import { type SequencerHandle, sequencerConfig, startSequencer } from '../../src/sequencer/start.js'
import { captureLog } from '../_helpers/captureLog.js'
import { jsonRpc } from '../_helpers/jsonRpc.js'
import { builderStub, CHAIN_ID, jwtFile } from './_env.js'

// Issue 11: standalone mode on a Karst engine. engine-sim --fork karst (and lagoon, Karst plus
// interop) refuses engine_getPayloadV4 with -38005; the sequencer learns the fork from that answer,
// seals with engine_getPayloadV5 (the V4 envelope) from then on, inserts with engine_newPayloadV4,
// and tells builders getPayloadVersion 5.

for (const fork of ['karst', 'lagoon'] as const)
  test(`standalone on engine-sim --fork ${fork}: seals with engine_getPayloadV5, publishes, tells builders`, async () => {
    const jwt = jwtFile()
    const genesisTime = Math.floor(Date.now() / 1000) - 5
    const sims: EngineSimHandle[] = []
    const start = async () => {
      const e = await startEngineSim({ execution: 'sim', fork, jwtSecret: jwt.secret, chainId: CHAIN_ID, genesisTime })
      sims.push(e)
      return e
    }
    const [engine, replica] = [await start(), await start()]
    const stub = await builderStub()
    const bJwt = jwtFile()
    const cap = captureLog()
    let seq: SequencerHandle | undefined
    try {
      seq = await startSequencer(
        sequencerConfig({
          engine: `${engine!.url},jwt=${jwt.path}`,
          blockTime: 400,
          noticeMs: 100,
          replica: [`${replica!.url},jwt=${jwt.path}`],
          builder: [`${stub.url},jwt=${bJwt.path},name=alice`],
          listenBuilder: '127.0.0.1:0',
          listenDebug: '127.0.0.1:0',
          maxUnsafeAge: 0,
        }),
        { logger: cap.logger },
      )
      const first = await seq.events.waitFor('published')
      const second = await seq.events.waitFor('published')
      assert.is(second.number, first.number + 1n)
      assert.is(second.replicas, 1)
      const head = await jsonRpc(replica!.url, 'eth_getBlockByNumber', ['latest', false])
      assert.ok(BigInt((head.result as { number: string }).number) >= first.number, 'the replica took our blocks')
      const learned = cap.lines.filter((l) => String(l.msg).startsWith('engine is past Karst'))
      assert.is(learned.length, 1, 'learned once, from the first refusal')
      assert.is(learned[0]!.refused, 'engine_getPayloadV4')
      // Jobs started after the first seal carry the version builders must pull with.
      const told = stub.calls.filter((c) => c.method === 'builder_startBuilding').at(-1)!.params as {
        engineVersion: number
        getPayloadVersion?: number
      }
      assert.is(told.engineVersion, 4)
      assert.is(told.getPayloadVersion, 5)
    } finally {
      await seq?.close()
      await stub.close()
      await Promise.all(sims.map((e) => e.close()))
    }
  })

test.run()
