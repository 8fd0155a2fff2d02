// Runs in a fresh worker so the JS keccak path is certain: nothing here has called initKeccak yet.
import { parentPort } from 'node:worker_threads'
import { initKeccak, keccakImplementation } from '../../src/util/keccak.js'
import { computeVectors } from './_vectors.js'

const before = { impl: keccakImplementation(), vectors: computeVectors() }
await initKeccak()
const after = { impl: keccakImplementation(), vectors: computeVectors() }
parentPort!.postMessage({ before, after })
