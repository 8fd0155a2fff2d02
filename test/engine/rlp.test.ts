import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { toRlp } from 'viem'
import { type RlpItem, rlpEncode } from '../../src/engine/rlp.js'

const bytes = (n: number, fill = 0xab) => new Uint8Array(n).fill(fill)

test('rlpEncode matches viem toRlp on strings, lists and the length boundaries', () => {
  const cases: RlpItem[] = [
    new Uint8Array(),
    Uint8Array.of(0),
    Uint8Array.of(0x7f),
    Uint8Array.of(0x80),
    bytes(55),
    bytes(56),
    bytes(255),
    bytes(256),
    bytes(70_000),
    [],
    [new Uint8Array(), Uint8Array.of(1), []],
    [bytes(20), [bytes(32), [Uint8Array.of(5)]], bytes(54)],
    Array.from({ length: 30 }, (_, i) => bytes(i + 1, i)),
  ]
  for (const c of cases) assert.equal(rlpEncode(c), toRlp(c as never, 'bytes'))
})

test.run()
