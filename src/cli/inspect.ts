import { ConfigError, defineSpec, formatHelp, loadConfig } from '../config/index.js'
import { type DecodedTransaction, decodeTransaction } from '../engine/decodeTransaction.js'
import {
  type Access,
  AccessListParseError,
  encodeAccess,
  type Hex,
  parseAccessList,
  TransactionDecodeError,
} from '../interop/index.js'
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

type TransactionView = { hash: Hex; type: string; chainId: string | null; nonce: number; to: Hex | null }

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
      report = inspect(inputs)
    } catch (err) {
      // malformed input is the user's to fix: a one-line reason, exit code 2, no stack
      if (!(err instanceof AccessListParseError || err instanceof TransactionDecodeError)) throw err
      const hint = err instanceof TransactionDecodeError ? ' (expected a raw transaction or 32-byte storage keys)' : ''
      process.stderr.write(
        `${err instanceof AccessListParseError ? 'failed to read data: ' : ''}${err.message}${hint}\n`,
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
function inspect(inputs: string[]): Report {
  if (inputs.length === 1 && inputs[0]!.length !== KEY_LENGTH) {
    const tx = decodeTransaction(inputs[0] as Hex)
    return {
      transaction: txView(tx),
      entries: tx.inboxEntries,
      accesses: parseAccessList(tx.inboxEntries).map(accessView),
    }
  }
  const entries = inputs.map((s) => s.toLowerCase() as Hex)
  return { entries, accesses: parseAccessList(entries).map(accessView) }
}

function txView(tx: DecodedTransaction): TransactionView {
  return {
    hash: tx.hash,
    type: tx.type,
    chainId: tx.chainId === undefined ? null : tx.chainId.toString(),
    nonce: tx.nonce,
    to: tx.to,
  }
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
