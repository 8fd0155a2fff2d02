import { ConfigError, defineSpec, formatHelp, loadConfig } from '../config/index.js'
import { type DecodedTransaction, decodeTransaction } from '../engine/decodeTransaction.js'
import { recoverSender } from '../engine/senderRecovery.js'
import {
  type Access,
  AccessListParseError,
  encodeAccess,
  type Hex,
  parseAccessList,
  TransactionDecodeError,
} from '../interop/index.js'
import { initKeccak } from '../util/keccak.js'
import type { Command } from './command.js'

// No role in its environment names (SUPERGUARD_JSON): inspect is a one-off tool, not a service.
const spec = defineSpec({
  role: 'inspect',
  envPrefix: 'SUPERGUARD_',
  options: { json: { type: 'bool', default: false, help: 'print one JSON object instead of text' } },
})

const USAGE = 'superguard inspect [--json] <raw-tx-hex | storage-key...>'
const SUMMARY = [
  'Decodes what an interop transaction declares. Give either one signed raw transaction',
  '(its CrossL2Inbox access-list entries are read) or CrossL2Inbox storage keys, separated',
  'by spaces or commas (a pasted JSON array works too). Exit code 2 on malformed input.',
].join('\n')

/** One access as printed: numbers as decimal strings so JSON keeps uint256 chain ids exact. */
type AccessView = {
  chainId: string
  blockNumber: string
  timestamp: string
  /** The timestamp as an ISO date, null when it is beyond what a Date can hold. */
  time: string | null
  logIndex: number
  checksum: Hex
  lookup: Hex
  extension?: Hex
}

type TransactionView = {
  hash: Hex
  type: string
  chainId: string | null
  nonce: number
  /** The signer, recovered from the signature; null when the signature does not recover. */
  from: Hex | null
  to: Hex | null
}

type Report = { transaction?: TransactionView; entries: Hex[]; accesses: AccessView[] }

const KEY_LENGTH = 66

export const command: Command = {
  summary: 'decode a raw interop transaction or CrossL2Inbox storage keys',
  async run(argv, env) {
    const { config, positionals, help } = loadConfig(spec, { argv, env })
    if (help) {
      process.stdout.write(formatHelp(USAGE, SUMMARY, spec))
      return
    }
    const inputs = positionals.flatMap(splitInput)
    if (inputs.length === 0)
      throw new ConfigError('inspect', ['expected a raw transaction or CrossL2Inbox storage keys (see --help)'])
    let report: Report
    try {
      report = await inspect(inputs)
    } catch (err) {
      // malformed input is the user's to fix: a one-line reason in our words (what and where), exit code 2, no stack
      if (!(err instanceof AccessListParseError || err instanceof TransactionDecodeError)) throw err
      process.stderr.write(
        `${err instanceof AccessListParseError ? accessListProblem(err, entriesOf(inputs)) : txProblem(err, inputs[0]!)}\n`,
      )
      process.exitCode = 2
      return
    }
    process.stdout.write(config.json ? `${JSON.stringify(report, null, 2)}\n` : formatText(report))
  },
}

/** Splits an argument on whitespace and commas, dropping JSON brackets and quotes; bare hex gets 0x. */
function splitInput(arg: string): string[] {
  return arg
    .split(/[\s,[\]"']+/)
    .filter(Boolean)
    .map((s) => (/^[0-9a-fA-F]+$/.test(s) ? `0x${s}` : s))
}

/** One input that is not a 32-byte key is a raw transaction; anything else is a list of keys. Throws on malformed input. */
async function inspect(inputs: string[]): Promise<Report> {
  if (inputs.length === 1 && inputs[0]!.length !== KEY_LENGTH) {
    const tx = decodeTransaction(inputs[0] as Hex)
    await initKeccak()
    return {
      transaction: txView(tx, (await recoverSender(inputs[0] as Hex)) ?? null),
      entries: tx.inboxEntries,
      accesses: parseAccessList(tx.inboxEntries).map(accessView),
    }
  }
  const entries = inputs.map((s) => s.toLowerCase() as Hex)
  return { entries, accesses: parseAccessList(entries).map(accessView) }
}

function txView(tx: DecodedTransaction, from: Hex | null): TransactionView {
  return {
    hash: tx.hash,
    type: tx.type,
    chainId: tx.chainId === undefined ? null : tx.chainId.toString(),
    nonce: tx.nonce,
    from,
    to: tx.to,
  }
}

const TX_TYPES: Record<string, string> = { '01': 'EIP-2930', '02': 'EIP-1559', '03': 'EIP-4844', '04': 'EIP-7702' }

/**
 * A transaction that does not decode, in our words: what is wrong and where (the codec's own text,
 * e.g. viem's "Position `1` is out of bounds", never reaches the operator).
 */
function txProblem(err: TransactionDecodeError, input: string): string {
  const hint = '; expected a signed raw transaction or 32-byte CrossL2Inbox storage keys'
  const hex = /^0x([0-9a-fA-F]{2})+$/.test(input) ? input.slice(2) : undefined
  if (hex === undefined)
    return `invalid input: ${JSON.stringify(input.slice(0, 20))}${input.length > 20 ? '…' : ''} is not hex bytes${hint}`
  const first = hex.slice(0, 2).toLowerCase()
  const bytes = `${hex.length / 2} byte${hex.length === 2 ? '' : 's'}`
  const kind = TX_TYPES[first]
    ? `${TX_TYPES[first]}, type 0x${first}`
    : Number.parseInt(first, 16) >= 0xc0
      ? 'legacy'
      : undefined
  if (kind === undefined) return `invalid transaction: unknown transaction type 0x${first} (the first byte)${hint}`
  const cause = (err.cause as { name?: string } | undefined)?.name
  const what =
    cause === 'PositionOutOfBoundsError'
      ? 'its RLP encoding ends before the lengths it declares (truncated?)'
      : cause === 'InvalidSerializedTransactionError'
        ? 'its RLP list does not hold the fields of a signed transaction of this type'
        : cause === undefined
          ? err.message.replace(/^invalid transaction: /, '')
          : 'it does not decode as a signed transaction of this type'
  return `invalid transaction (${kind}, ${bytes}): ${what}${hint}`
}

/** The CrossL2Inbox entries of the input: a transaction's (it decoded, its entries did not parse) or the keys given. */
function entriesOf(inputs: readonly string[]): Hex[] {
  if (inputs.length === 1 && inputs[0]!.length !== KEY_LENGTH) return decodeTransaction(inputs[0] as Hex).inboxEntries
  return inputs.map((s) => s.toLowerCase() as Hex)
}

/**
 * An access list that does not parse: the rule broken (op-supervisor's words, as the supervisor
 * answers them) and where — which entry, or that the list ends inside an executing message.
 */
function accessListProblem(err: AccessListParseError, entries: readonly Hex[]): string {
  const n = entries.length
  const shape =
    'each executing message is a lookup entry (0x01…), an optional chain-id extension (0x02…) and a checksum entry (0x03…)'
  for (let k = 1; k <= n; k++) {
    try {
      parseAccessList(entries.slice(0, k))
    } catch (e) {
      // A prefix that only ends early is not the fault: the first prefix failing otherwise names the entry.
      if (e instanceof AccessListParseError && e.message === 'expected entry') continue
      return `failed to read data: ${err.message}: entry ${k} of ${n} (${entries[k - 1]!.slice(0, 10)}…); ${shape}`
    }
  }
  return `failed to read data: ${err.message}: the list ends after entry ${n} of ${n} inside an executing message (no checksum entry); ${shape}`
}

function accessView(a: Access): AccessView {
  const [lookup, second, third] = encodeAccess(a)
  const view: AccessView = {
    chainId: a.chainId.toString(),
    blockNumber: a.blockNumber.toString(),
    timestamp: a.timestamp.toString(),
    time: isoTime(a.timestamp),
    logIndex: a.logIndex,
    checksum: a.checksum,
    lookup: lookup!,
  }
  if (third !== undefined) view.extension = second!
  return view
}

// Date holds ±8.64e15 ms; identifier timestamps are uint64 seconds and can be far beyond it.
const MAX_DATE_S = 8_640_000_000_000n

function isoTime(ts: bigint): string | null {
  return ts <= MAX_DATE_S ? new Date(Number(ts) * 1000).toISOString() : null
}

function formatText(r: Report): string {
  const out: string[] = []
  const row = (label: string, value: string) => out.push(`  ${label.padEnd(18)}${value}`)
  if (r.transaction) {
    const t = r.transaction
    out.push(`transaction ${t.hash}`)
    row('type', t.type)
    row('chain id', t.chainId ?? 'none (pre-EIP-155)')
    row('nonce', String(t.nonce))
    row('from', t.from ?? 'unknown (the signature does not recover)')
    row('to', t.to ?? 'none (contract creation)')
    if (r.entries.length === 0) {
      out.push('', 'no CrossL2Inbox access-list entries: this transaction executes no interop messages')
      return `${out.join('\n')}\n`
    }
    out.push(
      `  ${r.entries.length} CrossL2Inbox entries declare ${r.accesses.length} executing message${r.accesses.length === 1 ? '' : 's'}`,
    )
  } else {
    out.push(
      `${r.entries.length} storage keys declare ${r.accesses.length} access${r.accesses.length === 1 ? '' : 'es'}`,
    )
  }
  r.accesses.forEach((a, i) => {
    out.push('', `${r.transaction ? 'executing message' : 'access'} ${i + 1}`)
    row('source chain id', a.chainId)
    row('block number', a.blockNumber)
    row('timestamp', `${a.timestamp} (${a.time ?? 'beyond the date range'})`)
    row('log index', String(a.logIndex))
    row('checksum', a.checksum)
    row('lookup entry', a.lookup)
    if (a.extension) row('chain extension', a.extension)
  })
  return `${out.join('\n')}\n`
}
