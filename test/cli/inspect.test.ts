import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createPublicClient, http, keccak256 } from 'viem'
import {
  accessListEntries,
  type DevChain,
  DevSigner,
  type InitiatingMessage,
  signExecuting,
} from '../../src/devnet/messages.js'
import { CROSS_L2_INBOX, type Hex } from '../../src/interop/index.js'
import { runCli } from '../_helpers/cli.js'

// §6 vectors A and B (interop.md)
const A = [
  '0x01000000d1d2d3d4d5d6d7d8a1a2a3a4a5a6a7a8c1c2c3c4c5c6c7c8b1b2b3b4',
  '0x03749e87fd7789575de9906569deb05aaf220dc4cfab3d8abbfd34a2e1d7d357',
] as const
const B = [
  '0x0100000000000000190a85c3000000000035b44900000000681a081500000001',
  '0x03c68024f5ebb6232677dcaa25cb051cd484ae1ba33fb51df85c09e73c44c775',
] as const

// Signing with an explicit nonce never touches the client, so no chain has to run.
const chain: DevChain = {
  url: 'http://127.0.0.1:9',
  chainId: 901n,
  client: createPublicClient({ transport: http('http://127.0.0.1:9') }),
}
const signer = new DevSigner()
const m1: InitiatingMessage = {
  identifier: {
    origin: '0x00000000000000000000000000000000000e1771',
    blockNumber: 42n,
    logIndex: 3,
    timestamp: 1_746_536_469n,
    chainId: 900n,
  },
  payloadHash: keccak256('0x01'),
}
// a source chain id above uint64, so its access carries an extension entry
const m2: InitiatingMessage = {
  identifier: { ...m1.identifier, chainId: (1n << 64n) + 7n, logIndex: 0 },
  payloadHash: keccak256('0x02'),
}

async function interopTx(messages: InitiatingMessage[], nonce = 5): Promise<Hex> {
  return signExecuting(chain, signer, messages[0]!, accessListEntries(messages), nonce)
}

test('a signed interop transaction: header, then each executing message', async () => {
  const raw = await interopTx([m1, m2])
  const { code, stdout, stderr } = await runCli(['inspect', raw])
  assert.is(stderr, '')
  assert.is(code, 0)
  const lines = stdout.split('\n')
  assert.is(lines[0], `transaction ${keccak256(raw)}`)
  assert.ok(stdout.includes('  type              eip1559\n'))
  assert.ok(stdout.includes('  chain id          901\n'))
  assert.ok(stdout.includes('  nonce             5\n'))
  // the sender, recovered from the signature
  assert.ok(stdout.includes(`  from              ${signer.account.address.toLowerCase()}\n`))
  assert.ok(stdout.includes(`  to                ${CROSS_L2_INBOX}\n`))
  assert.ok(stdout.includes('5 CrossL2Inbox entries declare 2 executing messages'))
  assert.ok(
    stdout.includes(
      'executing message 1\n  source chain id   900\n  block number      42\n  timestamp         1746536469 (2025-05-06T13:01:09.000Z)\n  log index         3\n',
    ),
  )
  assert.ok(stdout.includes(`executing message 2\n  source chain id   ${(1n << 64n) + 7n}\n`))
  assert.ok(stdout.includes(`  chain extension   0x0200000000000000${'00'.repeat(23)}01\n`))
  assert.is((stdout.match(/lookup entry {6}0x01000000/g) ?? []).length, 2)
})

test('--json prints one object with the transaction, its entries and accesses', async () => {
  const raw = await interopTx([m1, m2], 0)
  const { code, stdout } = await runCli(['inspect', '--json', raw])
  assert.is(code, 0)
  const out = JSON.parse(stdout)
  assert.equal(out.transaction, {
    hash: keccak256(raw),
    type: 'eip1559',
    chainId: '901',
    nonce: 0,
    from: signer.account.address.toLowerCase(),
    to: CROSS_L2_INBOX,
  })
  assert.is(out.entries.length, 5)
  assert.equal(out.accesses[0], {
    chainId: '900',
    blockNumber: '42',
    timestamp: '1746536469',
    time: '2025-05-06T13:01:09.000Z',
    logIndex: 3,
    checksum: out.entries[1],
    lookup: out.entries[0],
  })
  assert.is(out.accesses[1].chainId, ((1n << 64n) + 7n).toString())
  assert.is(out.accesses[1].extension, out.entries[3])
  assert.is(out.accesses[1].checksum, out.entries[4])
})

test('a transaction without CrossL2Inbox entries says so', async () => {
  const raw = await signer.sign(chain, { to: '0x00000000000000000000000000000000000e1771', data: '0x', nonce: 1 })
  const { code, stdout } = await runCli(['inspect', raw])
  assert.is(code, 0)
  assert.ok(stdout.includes('no CrossL2Inbox access-list entries'))
  const json = JSON.parse((await runCli(['inspect', '--json', raw])).stdout)
  assert.equal(json.entries, [])
  assert.equal(json.accesses, [])
})

test('storage keys, including the §6 vector A pair, separated by spaces or commas', async () => {
  const { code, stdout, stderr } = await runCli(['inspect', A[0], `${A[1]},${B[0]}`, B[1]])
  assert.is(stderr, '')
  assert.is(code, 0)
  assert.ok(stdout.startsWith('4 storage keys declare 2 accesses\n'))
  assert.ok(
    stdout.includes(
      `access 1\n  source chain id   ${0xd1d2d3d4d5d6d7d8n}\n  block number      ${0xa1a2a3a4a5a6a7a8n}\n  timestamp         ${0xc1c2c3c4c5c6c7c8n} (beyond the date range)\n  log index         ${0xb1b2b3b4}\n  checksum          ${A[1]}\n  lookup entry      ${A[0]}\n`,
    ),
  )
  assert.ok(
    stdout.includes(
      'access 2\n  source chain id   420120003\n  block number      3519561\n  timestamp         1746536469 (2025-05-06T13:01:09.000Z)\n  log index         1\n',
    ),
  )
})

test('storage keys as a pasted JSON array, with --json (env SUPERGUARD_JSON works too)', async () => {
  const { code, stdout } = await runCli(['inspect', JSON.stringify([...B])], { SUPERGUARD_JSON: 'true' })
  assert.is(code, 0)
  assert.equal(JSON.parse(stdout), {
    entries: [...B],
    accesses: [
      {
        chainId: '420120003',
        blockNumber: '3519561',
        timestamp: '1746536469',
        time: '2025-05-06T13:01:09.000Z',
        logIndex: 1,
        checksum: B[1],
        lookup: B[0],
      },
    ],
  })
})

test('a malformed storage key: "failed to read data: …" on stderr, exit code 2', async () => {
  const bad = `0x01ff${A[0].slice(6)}`
  const r = await runCli(['inspect', bad, A[1]])
  assert.is(r.code, 2)
  assert.is(r.stdout, '')
  assert.match(r.stderr, /^failed to read data: expected zero bytes: malformed entry: entry 1 of 2 \(0x01ff0000…\); /)
  const lone = await runCli(['inspect', A[0], A[1], B[0]])
  assert.is(lone.code, 2)
  // op-supervisor's words for the rule, then where: the list ends inside the second message
  assert.is(
    lone.stderr,
    'failed to read data: expected entry: the list ends after entry 3 of 3 inside an executing message (no checksum entry); each executing message is a lookup entry (0x01…), an optional chain-id extension (0x02…) and a checksum entry (0x03…)\n',
  )
  const short = await runCli(['inspect', A[0], '0x03'])
  assert.match(short.stderr, /^failed to read data: entry 1 is not a 32-byte hex string: entry 2 of 2 \(0x03…\); /)
})

test('a transaction with malformed inbox entries fails the same way', async () => {
  const raw = await signExecuting(chain, signer, m1, [A[0], A[0]], 2)
  const r = await runCli(['inspect', raw])
  assert.is(r.code, 2)
  assert.is(r.stdout, '')
  assert.match(
    r.stderr,
    /^failed to read data: expected checksum, got entry type 1: unexpected entry type: entry 2 of 2 \(0x01000000…\); /,
  )
})

test('a garbage transaction: what is wrong and where, in our words (no codec text), exit code 2', async () => {
  const raw = await interopTx([m1])
  const cases: [string, RegExp][] = [
    ['0x05c0', /^invalid transaction: unknown transaction type 0x05 \(the first byte\); /],
    ['0xdeadbeef', /^invalid transaction \(legacy, 4 bytes\): /],
    [
      raw.slice(0, -4),
      /^invalid transaction \(EIP-1559, type 0x02, \d+ bytes\): its RLP encoding ends before the lengths it declares \(truncated\?\); /,
    ],
    ['0x02f8', /^invalid transaction \(EIP-1559, type 0x02, 2 bytes\): its RLP encoding ends before/],
    ['0x02c0', /^invalid transaction \(EIP-1559, type 0x02, 2 bytes\): its RLP list does not hold the fields/],
    ['not-hex', /^invalid input: "not-hex" is not hex bytes; /],
  ]
  for (const [g, expect] of cases) {
    const r = await runCli(['inspect', g])
    assert.is(r.code, 2, g)
    assert.is(r.stdout, '')
    assert.match(r.stderr, expect, g)
    assert.match(r.stderr, /; expected a signed raw transaction or 32-byte CrossL2Inbox storage keys\n$/)
    assert.not.match(r.stderr, /Position|out of bounds|viem|Version:|Invalid serialized/, g)
  }
})

test('--help lists the options with their env names; no input or unknown flags exit 2', async () => {
  const help = await runCli(['inspect', '--help'])
  assert.is(help.code, 0)
  assert.ok(help.stdout.startsWith('Usage: superguard inspect'))
  assert.ok(help.stdout.includes('--json'))
  assert.ok(help.stdout.includes('env SUPERGUARD_JSON'))
  const none = await runCli(['inspect'])
  assert.is(none.code, 2)
  assert.match(none.stderr, /expected a raw transaction or CrossL2Inbox storage keys/)
  const unknown = await runCli(['inspect', '--yaml', A[0], A[1]])
  assert.is(unknown.code, 2)
  assert.match(unknown.stderr, /unknown option --yaml/)
})

test.run()
