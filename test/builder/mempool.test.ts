import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { BuilderMempool } from '../../src/builder/mempool.js'
import { initKeccak } from '../../src/util/keccak.js'

// The builder's eth_sendRawTransaction refuses what does not decode with a stable reason, never the
// codec library's text (before: "undecodable transaction: Position `1` is out of bounds (`0 < position < 1`).").

test.before(async () => { await initKeccak() })

test('undecodable transactions: a stable reason without library text; own reasons kept', async () => {
  const pool = new BuilderMempool(10, 901)
  const reason = (raw: unknown) => pool.add(raw).then(() => 'accepted', (e: Error) => e.message)
  for (const raw of ['0x1234', '0x02', '0x02f8', '0x02c0', `0x${'ff'.repeat(40)}`]) assert.is(await reason(raw), 'undecodable transaction', raw)
  assert.is(await reason(12), 'transaction must be non-empty hex')
  assert.is(await reason('0xzz'), 'transaction must be non-empty hex')
})

test.run()
