import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { serializeTransaction, keccak256 as viemKeccak } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { DEV_KEYS } from '../../src/devnet/messages.js'
import { senderRecovery } from '../../src/engine/senderRecovery.js'
import { signingData } from '../../src/engine/signingData.js'
import { InvalidParamsError } from '../../src/errors/index.js'
import { decodeRawTransaction } from '../../src/ingress/decodeRawTransaction.js'
import { CROSS_L2_INBOX, type Hex } from '../../src/interop/index.js'
import { initKeccak } from '../../src/util/keccak.js'

const account = privateKeyToAccount(DEV_KEYS[1])
const sender = account.address.toLowerCase()
const KEYS: Hex[] = [`0x01${'00'.repeat(31)}`, `0x03${'ab'.repeat(31)}`]
const OTHER = '0x00000000000000000000000000000000000000aa'
const accessList = [
  { address: OTHER as Hex, storageKeys: [`0x${'11'.repeat(32)}` as Hex] },
  { address: CROSS_L2_INBOX as Hex, storageKeys: [KEYS[0]!] },
  { address: CROSS_L2_INBOX.toUpperCase().replace('0X', '0x') as Hex, storageKeys: [KEYS[1]!] },
]
const base = { to: OTHER as Hex, gas: 100_000n, nonce: 7, value: 1n }

test.before(() => initKeccak())

test('decodes every L2 mempool type and recovers the sender with both implementations', async () => {
  const auth = await account.signAuthorization({ contractAddress: OTHER as Hex, chainId: 10, nonce: 1 })
  const raws: [string, Hex, bigint | undefined][] = [
    ['legacy', await account.signTransaction({ ...base, type: 'legacy', gasPrice: 1n, chainId: 10 }), 10n],
    ['legacy', await account.signTransaction({ ...base, type: 'legacy', gasPrice: 1n }), undefined],
    [
      'legacy',
      await account.signTransaction({
        ...base,
        type: 'legacy',
        gasPrice: 1n,
        chainId: 420120003,
        data: `0x${'ff'.repeat(300)}`,
      }),
      420120003n,
    ],
    [
      'eip2930',
      await account.signTransaction({ ...base, type: 'eip2930', gasPrice: 1n, chainId: 10, accessList }),
      10n,
    ],
    [
      'eip1559',
      await account.signTransaction({
        ...base,
        type: 'eip1559',
        maxFeePerGas: 2n,
        maxPriorityFeePerGas: 1n,
        chainId: 10,
        accessList,
      }),
      10n,
    ],
    [
      'eip7702',
      await account.signTransaction({
        ...base,
        type: 'eip7702',
        maxFeePerGas: 2n,
        maxPriorityFeePerGas: 1n,
        chainId: 10,
        accessList,
        authorizationList: [auth],
      }),
      10n,
    ],
  ]
  for (const [type, raw, chainId] of raws) {
    const tx = decodeRawTransaction(raw)
    assert.is(tx.type, type)
    assert.is(tx.chainId, chainId, `${type} chain id`)
    assert.is(tx.nonce, 7)
    assert.is(tx.type === 'legacy' || tx.inboxEntries.length === 2, true)
    assert.is(tx.hash, viemKeccak(raw))
    assert.equal(tx.inboxEntries, type === 'legacy' ? [] : KEYS, `${type} inbox entries`)
    const data = signingData(raw)
    assert.is(senderRecovery('native').recover(data), sender, `${type} native`)
    assert.is(await senderRecovery('noble').recover(data), sender, `${type} noble`)
  }
  assert.is(senderRecovery().implementation, 'native')
})

test('refuses what does not decode, blob transactions and unsigned ones with -32602', async () => {
  const blob = serializeTransaction(
    {
      ...base,
      type: 'eip4844',
      chainId: 10,
      maxFeePerGas: 2n,
      maxPriorityFeePerGas: 1n,
      maxFeePerBlobGas: 1n,
      blobVersionedHashes: [`0x01${'00'.repeat(31)}`],
    },
    { r: `0x${'11'.repeat(32)}`, s: `0x${'22'.repeat(32)}`, yParity: 0 },
  )
  const unsigned = serializeTransaction({
    ...base,
    type: 'eip1559',
    chainId: 10,
    maxFeePerGas: 2n,
    maxPriorityFeePerGas: 1n,
  })
  for (const bad of [undefined, 42, '', '0x', 'hello', '0x02', '0x02c0', '0x7ef8', '0x1', blob, unsigned]) {
    try {
      decodeRawTransaction(bad)
      assert.unreachable(`decoded ${String(bad)}`)
    } catch (err) {
      assert.instance(err, InvalidParamsError, String(bad))
      assert.is((err as InvalidParamsError).rpcCode, -32602)
    }
  }
})

test.run()
