import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import { VALIDATE_MESSAGE_SELECTOR } from '../../src/devnet/contracts.js'
import {
  accessListEntries,
  type DevChain,
  DevSigner,
  emitInitiating,
  type InitiatingMessage,
  setupChain,
} from '../../src/devnet/messages.js'
import { CROSS_L2_INBOX, encodeIdentifier, type Hex } from '../../src/interop/index.js'
import { freePort } from '../../src/util/freePort.js'
import { runCli } from '../_helpers/cli.js'

// `superguard access-list` against a real anvil chain: its answer must be what the devnet's own
// executing transactions declare (accessListEntries, validateMessage calldata), which the
// supervisor tests check against the log index.

let anvil: Anvil
let chain: DevChain
let messages: InitiatingMessage[]
let txHash: Hex

test.before(async () => {
  anvil = await startAnvil({ chainId: 901 })
  chain = await setupChain(anvil.url)
  messages = await emitInitiating(chain, new DevSigner(), { count: 3 })
  const logs = await chain.client.getLogs({ blockHash: await blockHashOf(messages[0]!) })
  txHash = logs[0]!.transactionHash as Hex
})

test.after(async () => {
  await anvil.stop()
})

async function blockHashOf(m: InitiatingMessage): Promise<Hex> {
  return (await chain.client.getBlock({ blockNumber: m.identifier.blockNumber })).hash as Hex
}

const hex = (v: bigint | number) => `0x${v.toString(16)}`

test('--tx HASH --log-index N --json: identifier, access list and calldata of a real log', async () => {
  const m = messages[1]!
  const r = await runCli([
    'access-list',
    '--rpc',
    anvil.url,
    '--tx',
    txHash,
    '--log-index',
    String(m.identifier.logIndex),
    '--json',
  ])
  assert.is(r.stderr, '')
  assert.is(r.code, 0)
  const out = JSON.parse(r.stdout)
  assert.equal(out.identifier, {
    origin: m.identifier.origin,
    blockNumber: hex(m.identifier.blockNumber),
    logIndex: hex(m.identifier.logIndex),
    timestamp: hex(m.identifier.timestamp),
    chainID: '0x385',
  })
  assert.is(out.payloadHash, m.payloadHash)
  assert.equal(out.accessList, [{ address: CROSS_L2_INBOX, storageKeys: accessListEntries([m]) }])
  assert.is(
    out.validateMessageCalldata,
    `${VALIDATE_MESSAGE_SELECTOR}${encodeIdentifier(m.identifier).slice(2)}${m.payloadHash.slice(2)}`,
  )
  assert.is(out.log.transactionHash, txHash)
})

test('--block N --log-index I, as text', async () => {
  const m = messages[2]!
  const r = await runCli([
    'access-list',
    '--rpc',
    anvil.url,
    '--block',
    String(m.identifier.blockNumber),
    '--log-index',
    String(m.identifier.logIndex),
  ])
  assert.is(r.code, 0, r.stderr)
  assert.ok(r.stdout.startsWith(`identifier\n  origin          ${m.identifier.origin}\n`))
  assert.ok(r.stdout.includes(`  chain id        901\n  payload hash    ${m.payloadHash}\n`))
  for (const k of accessListEntries([m])) assert.ok(r.stdout.includes(`  ${k}\n`), k)
})

test('a log that is not there, a bad flag set, an endpoint that is down: one line, exit 2', async () => {
  const dead = `http://127.0.0.1:${await freePort()}`
  const cases: [string[], RegExp][] = [
    [
      ['--rpc', anvil.url, '--tx', txHash, '--log-index', '99'],
      new RegExp(
        `^superguard access-list: transaction ${txHash} has no log with index 99 \\(its logs: \\d+, \\d+, \\d+\\)\\n$`,
      ),
    ],
    [
      ['--rpc', anvil.url, '--tx', `0x${'11'.repeat(32)}`, '--log-index', '0'],
      /^superguard access-list: no receipt for transaction 0x1{64} on http:\/\/127\.0\.0\.1:\d+ \(not mined, or another chain\)\n$/,
    ],
    [['--rpc', anvil.url, '--log-index', '0'], /give exactly one of --tx HASH and --block N/],
    [['--rpc', anvil.url, '--block', 'latest', '--log-index', '0'], /--block: expected a block number/],
    [
      ['--rpc', dead, '--block', '1', '--log-index', '0'],
      new RegExp(`^superguard access-list: eth_getLogs on ${dead} failed: .*ECONNREFUSED.*\\n$`),
    ],
  ]
  for (const [args, expect] of cases) {
    const r = await runCli(['access-list', ...args])
    assert.is(r.code, 2, args.join(' '))
    assert.is(r.stdout, '')
    assert.match(r.stderr, expect)
    assert.not.match(r.stderr, /\n\s+at /)
  }
})

test.run()
