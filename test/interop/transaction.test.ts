import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { concatHex, fromRlp, type Hex, keccak256, serializeTransaction, toRlp } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { DEV_KEYS } from '../../src/devnet/messages.js'
import { decodeTransaction } from '../../src/engine/decodeTransaction.js'
import { CROSS_L2_INBOX, TransactionDecodeError } from '../../src/interop/index.js'
import { EXPECTED } from './_vectors.js'

const account = privateKeyToAccount(DEV_KEYS[0])
const OTHER = '0x00000000000000000000000000000000000e1771' as const
const KEYS = [EXPECTED.aLookup, EXPECTED.aChecksum, EXPECTED.cLookup, EXPECTED.cExtension, EXPECTED.cChecksum] as Hex[]
const accessList = [
  { address: CROSS_L2_INBOX as Hex, storageKeys: KEYS.slice(0, 2) },
  { address: OTHER, storageKeys: [EXPECTED.bLookup as Hex] },
  { address: CROSS_L2_INBOX as Hex, storageKeys: KEYS.slice(2) },
]
const fees = { maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000n }
const base = { to: CROSS_L2_INBOX as Hex, nonce: 7, gas: 200_000n, data: '0x1234' as Hex, chainId: 901 }

function decodeError(raw: unknown): string {
  try {
    decodeTransaction(raw as Hex)
  } catch (err) {
    assert.instance(err, TransactionDecodeError)
    return (err as Error).message
  }
  throw new assert.Assertion({
    message: 'expected decodeTransaction to throw',
    operator: 'throws',
    generated: true,
    expects: 'TransactionDecodeError',
    actual: 'no error',
  })
}

test('legacy (EIP-155): hash, chain id from v, no access list', async () => {
  const raw = await account.signTransaction({ ...base, type: 'legacy', gasPrice: 1_000_000_000n })
  assert.equal(decodeTransaction(raw), {
    hash: keccak256(raw),
    type: 'legacy',
    chainId: 901n,
    nonce: 7,
    to: CROSS_L2_INBOX,
    inboxEntries: [],
  })
})

test('legacy without replay protection has no chain id', async () => {
  const { chainId: _, ...rest } = base
  const raw = await account.signTransaction({ ...rest, type: 'legacy', gasPrice: 1n })
  const tx = decodeTransaction(raw)
  assert.is(tx.chainId, undefined)
  assert.is(tx.type, 'legacy')
})

test('eip2930: CrossL2Inbox entries only, in order', async () => {
  const raw = await account.signTransaction({ ...base, type: 'eip2930', gasPrice: 1n, accessList })
  assert.equal(decodeTransaction(raw), {
    hash: keccak256(raw),
    type: 'eip2930',
    chainId: 901n,
    nonce: 7,
    to: CROSS_L2_INBOX,
    inboxEntries: KEYS,
  })
})

test('eip1559 with and without an access list', async () => {
  const raw = await account.signTransaction({ ...base, ...fees, type: 'eip1559', accessList })
  assert.equal(decodeTransaction(raw), {
    hash: keccak256(raw),
    type: 'eip1559',
    chainId: 901n,
    nonce: 7,
    to: CROSS_L2_INBOX,
    inboxEntries: KEYS,
  })
  const plain = await account.signTransaction({ ...base, ...fees, type: 'eip1559', nonce: 0 })
  assert.equal(decodeTransaction(plain), {
    hash: keccak256(plain),
    type: 'eip1559',
    chainId: 901n,
    nonce: 0,
    to: CROSS_L2_INBOX,
    inboxEntries: [],
  })
})

test('eip1559 contract creation has to = null', async () => {
  const { to: _, ...rest } = base
  const raw = await account.signTransaction({ ...rest, ...fees, type: 'eip1559' })
  assert.is(decodeTransaction(raw).to, null)
})

test('a foreign-only access list yields no inbox entries', async () => {
  const raw = await account.signTransaction({ ...base, ...fees, type: 'eip1559', accessList: [accessList[1]!] })
  assert.equal(decodeTransaction(raw).inboxEntries, [])
})

const blob = { blobVersionedHashes: [`0x01${'00'.repeat(31)}`] as Hex[], maxFeePerBlobGas: 1n }

test('eip4844 canonical form', async () => {
  const raw = await account.signTransaction({ ...base, ...fees, ...blob, type: 'eip4844', accessList })
  assert.equal(decodeTransaction(raw), {
    hash: keccak256(raw),
    type: 'eip4844',
    chainId: 901n,
    nonce: 7,
    to: CROSS_L2_INBOX,
    inboxEntries: KEYS,
  })
})

test('eip4844 network form (with sidecars) hashes like the canonical form', async () => {
  const raw = await account.signTransaction({ ...base, ...fees, ...blob, type: 'eip4844', accessList })
  const inner = fromRlp(`0x${raw.slice(4)}`, 'hex')
  const wrapped = concatHex([
    '0x03',
    toRlp([inner, [`0x${'aa'.repeat(64)}`], [`0x${'bb'.repeat(48)}`], [`0x${'cc'.repeat(48)}`]]),
  ])
  const tx = decodeTransaction(wrapped)
  assert.is(tx.hash, keccak256(raw))
  assert.equal(tx.inboxEntries, KEYS)
})

test('eip7702 with an authorization list', async () => {
  const authorization = await account.signAuthorization({ contractAddress: OTHER, chainId: 901, nonce: 8 })
  const raw = await account.signTransaction({
    ...base,
    ...fees,
    type: 'eip7702',
    accessList,
    authorizationList: [authorization],
  })
  assert.equal(decodeTransaction(raw), {
    hash: keccak256(raw),
    type: 'eip7702',
    chainId: 901n,
    nonce: 7,
    to: CROSS_L2_INBOX,
    inboxEntries: KEYS,
  })
})

test('upper-case hex decodes to lower-case fields and the same hash', async () => {
  const raw = await account.signTransaction({ ...base, ...fees, type: 'eip1559', accessList })
  const tx = decodeTransaction(`0x${raw.slice(2).toUpperCase()}`)
  assert.is(tx.hash, keccak256(raw))
  assert.equal(tx.inboxEntries, KEYS)
})

test('unsigned transactions are refused', () => {
  assert.is(decodeError(serializeTransaction({ ...base, ...fees, type: 'eip1559' })), 'transaction is not signed')
  assert.is(decodeError(serializeTransaction({ ...base, type: 'legacy', gasPrice: 1n })), 'transaction is not signed')
})

test('garbage is a TransactionDecodeError, never another error', async () => {
  const raw = await account.signTransaction({ ...base, ...fees, type: 'eip1559', accessList })
  const notHex = 'transaction is not a non-empty even-length hex string'
  for (const g of [undefined, null, 5, '', '0x', 'hello', '0xzz', '0x123', raw.slice(2)])
    assert.is(decodeError(g), notHex, String(g))
  for (const g of [
    '0x00',
    '0x05f800',
    '0x7e00',
    '0x02',
    '0x02c0',
    '0xc0',
    `${raw}00`,
    raw.slice(0, -2),
    `0x${'ff'.repeat(100)}`,
  ]) {
    assert.match(decodeError(g), /^(invalid transaction: |unsupported transaction type )/, g.slice(0, 20))
  }
})

test('a storage key that is not 32 bytes is refused, in any tuple', async () => {
  const raw = await account.signTransaction({
    ...base,
    ...fees,
    type: 'eip1559',
    accessList: [{ address: CROSS_L2_INBOX as Hex, storageKeys: [KEYS[0]!] }],
  })
  // re-encode the signed fields with a 1-byte storage key (viem will not serialize one)
  const fields = fromRlp(`0x${raw.slice(4)}`, 'hex') as unknown as [Hex, ...unknown[]]
  fields[8] = [[CROSS_L2_INBOX, ['0x01']]]
  assert.is(
    decodeError(concatHex(['0x02', toRlp(fields as never)])),
    'invalid transaction: access-list storage key 0x01 is not 32 bytes',
  )
  fields[8] = [[OTHER, [KEYS[0]!, `0x${'00'.repeat(33)}`]]]
  assert.match(
    decodeError(concatHex(['0x02', toRlp(fields as never)])),
    /^invalid transaction: access-list storage key 0x[0-9a-f]* is not 32 bytes$/,
  )
})

test.run()
