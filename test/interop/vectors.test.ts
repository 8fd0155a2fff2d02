import { Worker } from 'node:worker_threads'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { EXECUTING_MESSAGE_TOPIC } from '../../src/interop/index.js'
import { initKeccak, keccakImplementation } from '../../src/util/keccak.js'
import { computeVectors, EXPECTED, type Vectors } from './_vectors.js'

type Run = { impl: string; vectors: Vectors }

let run: Promise<{ before: Run; after: Run }> | undefined
function inFreshWorker(): Promise<{ before: Run; after: Run }> {
  return (run ??= new Promise((resolve, reject) => {
    const w = new Worker(new URL('./_vectorsWorker.js', import.meta.url))
    w.once('message', (m) => {
      resolve(m)
      void w.terminate()
    })
    w.once('error', reject)
  }))
}

test('§6 vectors with viem keccak, before initKeccak (fresh worker)', async () => {
  const { before } = await inFreshWorker()
  assert.is(before.impl, 'js')
  assert.equal(before.vectors, { ...EXPECTED })
})

test('§6 vectors after initKeccak in the same worker (wasm)', async () => {
  const { after } = await inFreshWorker()
  assert.is(after.impl, 'wasm')
  assert.equal(after.vectors, { ...EXPECTED })
})

// The rest runs in this process with the WASM hasher, one assertion per vector so a failure names it.
test('initKeccak switches this process to wasm', async () => {
  await initKeccak()
  assert.is(keccakImplementation(), 'wasm')
})

const groups: Record<string, (keyof typeof EXPECTED)[]> = {
  'A: payload hash, log hash, checksum, lookup entry': ['aPayloadHash', 'aLogHash', 'aChecksum', 'aLookup'],
  'A: checksum intermediates (idLogHash, bare checksum) and the 0x03 overwrite': ['aIdLogHash', 'aBareChecksum'],
  'B: proxyd identifier': ['bPayloadHash', 'bLogHash', 'bLookup', 'bChecksum'],
  'C: chain-id extension entry and checksum over the full uint256 chain id': ['cLookup', 'cExtension', 'cChecksum'],
  'D: ExecutingMessage event topic': ['dTopic'],
}
for (const [name, keys] of Object.entries(groups)) {
  test(`§6 ${name}`, () => {
    const v = computeVectors()
    for (const k of keys) assert.is(v[k], EXPECTED[k], k)
  })
}

test('the checksum is the bare checksum with its first byte set to 0x03', () => {
  assert.is(`0x03${EXPECTED.aBareChecksum.slice(4)}`, EXPECTED.aChecksum)
})

test('EXECUTING_MESSAGE_TOPIC constant equals vector D', () => {
  assert.is(EXECUTING_MESSAGE_TOPIC, EXPECTED.dTopic)
})

test.run()
