import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseTxpoolContent } from '../../src/sweep/txpoolContent.js'

const inbox = '0x4200000000000000000000000000000000000022'
const key = (n: number) => `0x${n.toString(16).padStart(64, '0')}`

test('interop transactions of pending and queued, in the geth shape', () => {
  const content = {
    pending: {
      '0xaa': {
        '0': {
          hash: key(1).toUpperCase().replace('0X', '0x'),
          accessList: [
            { address: inbox.toUpperCase().replace('0X', '0x'), storageKeys: [key(10), key(11)] },
            { address: `0x${'11'.repeat(20)}`, storageKeys: [key(99)] },
          ],
        },
        '1': { hash: key(2), accessList: [] },
        '2': { hash: key(3) },
      },
    },
    queued: { '0xbb': { '7': { hash: key(4), accessList: [{ address: inbox, storageKeys: [key(12)] }] } } },
  }
  const r = parseTxpoolContent(content)
  assert.is(r.total, 4)
  assert.is(r.skipped, 0)
  assert.equal(r.txs, [
    { hash: key(1), inboxEntries: [key(10), key(11)] },
    { hash: key(4), inboxEntries: [key(12)] },
  ])
})

test('malformed transactions are skipped and counted; a wrong shape throws', () => {
  const r = parseTxpoolContent({
    pending: {
      a: {
        0: { hash: 'nope' },
        1: { hash: key(1), accessList: 'x' },
        2: { hash: key(2), accessList: [{ address: inbox, storageKeys: [1] }] },
      },
      b: 7,
    },
    queued: null,
  })
  assert.is(r.total, 3)
  assert.is(r.skipped, 4)
  assert.is(r.txs.length, 0)
  assert.throws(() => parseTxpoolContent(null), /txpool_content/)
  assert.throws(() => parseTxpoolContent({ pending: [] }), /txpool_content/)
})

test.run()
