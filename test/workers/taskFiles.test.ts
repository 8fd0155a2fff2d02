import { createRequire } from 'node:module'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SENDER_RECOVERY_WORKER } from '../../src/ingress/senderRecoveryPool.js'
import { BLOCK_HASH_WORKER } from '../../src/sequencer/blockHasher.js'
import { SWEEP_WORKER, TXPOOL_WORKER } from '../../src/sweep/pool.js'

// Piscina loads a task file with require() first and falls back to import() when that throws. On
// Node 20 a file whose module graph has top-level await throws there, and a second task arriving
// while the import() is half done aborts the whole process (v8 IsGraphAsync). So every task file
// must load through require(), synchronously.
const require = createRequire(import.meta.url)

for (const file of [SWEEP_WORKER, TXPOOL_WORKER, BLOCK_HASH_WORKER, SENDER_RECOVERY_WORKER]) {
  test(`${file.split('/').slice(-2).join('/')} loads through require() and exports its task`, () => {
    const mod = require(file) as { default?: unknown }
    assert.type(mod.default, 'function')
  })
}

test.run()
