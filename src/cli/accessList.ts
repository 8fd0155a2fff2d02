import { ConfigError, defineSpec, formatHelp, loadConfig } from '../config/index.js'
import { StartupRefusal } from '../errors/index.js'
import {
  accessFor,
  CROSS_L2_INBOX,
  encodeAccess,
  encodeIdentifier,
  type Hex,
  type Identifier,
  payloadHash,
} from '../interop/index.js'
import { RpcClient } from '../rpc/client.js'
import { shortErrorText } from '../util/errorText.js'
import { bytesToHex } from '../util/hex.js'
import { initKeccak, keccak256 } from '../util/keccak.js'
import type { Command } from './command.js'

// A one-off tool like inspect: its environment names carry no role (SUPERGUARD_RPC…).
const spec = defineSpec({
  role: 'access-list',
  envPrefix: 'SUPERGUARD_',
  options: {
    rpc: {
      type: 'string',
      required: true,
      arg: 'URL',
      help: 'RPC of the chain that emitted the log (the source chain)',
    },
    tx: { type: 'string', arg: 'HASH', help: 'the transaction that emitted the log' },
    block: { type: 'string', arg: 'N', help: 'the block that holds the log (decimal or 0x-hex), instead of --tx' },
    logIndex: {
      type: 'int',
      required: true,
      min: 0,
      arg: 'N',
      help: "the log's index in its block (the logIndex a receipt shows)",
    },
    json: { type: 'bool', default: false, help: 'print one JSON object instead of text' },
    timeout: { type: 'duration', default: '10s', min: 100, help: 'per RPC request' },
  },
  check(c) {
    if ((c.tx === undefined) === (c.block === undefined)) return ['give exactly one of --tx HASH and --block N']
    if (c.tx !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(c.tx)) return ['--tx: expected a 32-byte transaction hash']
    if (c.block !== undefined && !/^(0x[0-9a-fA-F]{1,16}|[0-9]{1,20})$/.test(c.block))
      return ['--block: expected a block number (decimal or 0x-hex)']
    return []
  },
})

const USAGE = 'superguard access-list --rpc URL (--tx HASH | --block N) --log-index N [--json]'
const SUMMARY = [
  'What a transaction executing one real log needs: the CrossL2Inbox access list (lookup and checksum',
  'storage keys, plus the chain-id extension above uint64), the Identifier {origin, blockNumber,',
  'logIndex, timestamp, chainId}, the payload hash and CrossL2Inbox.validateMessage calldata. Reads the',
  "log, its block's timestamp and the chain id from --rpc (the source chain). Exit code 2 when the log",
  'is not there or the endpoint cannot be read.',
].join('\n')

/** CrossL2Inbox.validateMessage((address,uint256,uint256,uint256,uint256),bytes32) */
const VALIDATE_MESSAGE = 'validateMessage((address,uint256,uint256,uint256,uint256),bytes32)'

type RpcLog = {
  address: Hex
  topics: Hex[]
  data: Hex
  blockNumber: Hex
  blockHash: Hex
  logIndex: Hex
  transactionHash: Hex
}

export type AccessListReport = {
  /** The Identifier as supervisor_validateMessagesV2 takes it (hex quantities). */
  identifier: { origin: Hex; blockNumber: Hex; logIndex: Hex; timestamp: Hex; chainID: Hex }
  payloadHash: Hex
  /** The transaction's access list: one tuple for CrossL2Inbox. */
  accessList: { address: Hex; storageKeys: Hex[] }[]
  /** CrossL2Inbox.validateMessage(identifier, payloadHash) calldata. */
  validateMessageCalldata: Hex
  log: { transactionHash: Hex; blockHash: Hex; topics: Hex[]; data: Hex }
}

export const command: Command = {
  summary: 'the CrossL2Inbox access list and Identifier for executing a real log',
  async run(argv, env) {
    const { config, help } = loadConfig(spec, { argv, env })
    if (help) {
      process.stdout.write(formatHelp(USAGE, SUMMARY, spec))
      return
    }
    await initKeccak()
    const client = new RpcClient(config.rpc, { timeoutMs: config.timeout })
    try {
      const report = await accessListFor(client, config.rpc, {
        ...(config.tx !== undefined ? { tx: config.tx as Hex } : { block: BigInt(config.block!) }),
        logIndex: config.logIndex,
      })
      process.stdout.write(config.json ? `${JSON.stringify(report, null, 2)}\n` : formatText(report))
    } finally {
      client.close()
    }
  },
}

/** Finds the log, its block's timestamp and the chain id, and builds what executing it needs. */
export async function accessListFor(
  client: RpcClient,
  url: string,
  where: { tx?: Hex; block?: bigint; logIndex: number },
): Promise<AccessListReport> {
  const call = async <T>(method: string, params: unknown[]): Promise<T> => {
    try {
      return await client.call<T>(method, params)
    } catch (err) {
      throw new StartupRefusal('endpoint-unreachable', url, `${method} on ${url} failed: ${shortErrorText(err)}`, {
        cause: err,
      })
    }
  }
  const want = `0x${where.logIndex.toString(16)}`
  let logs: RpcLog[]
  let place: string
  if (where.tx !== undefined) {
    const receipt = await call<{ logs: RpcLog[] } | null>('eth_getTransactionReceipt', [where.tx])
    if (receipt === null)
      throw notFound(`no receipt for transaction ${where.tx} on ${url} (not mined, or another chain)`)
    logs = receipt.logs
    place = `transaction ${where.tx}`
  } else {
    const block = `0x${where.block!.toString(16)}`
    logs = await call<RpcLog[]>('eth_getLogs', [{ fromBlock: block, toBlock: block }])
    place = `block ${where.block}`
  }
  const log = logs.find((l) => BigInt(l.logIndex) === BigInt(want))
  if (!log) {
    const have = logs.map((l) => BigInt(l.logIndex).toString())
    throw notFound(
      `${place} has no log with index ${where.logIndex} (${have.length === 0 ? 'it emitted no logs' : `its logs: ${have.join(', ')}`})`,
    )
  }
  const [block, chainIdHex] = await Promise.all([
    call<{ timestamp: Hex; hash: Hex } | null>('eth_getBlockByHash', [log.blockHash, false]),
    call<Hex>('eth_chainId', []),
  ])
  if (block === null) throw notFound(`block ${log.blockHash} of the log is gone (reorged?); try again`)
  const id: Identifier = {
    origin: log.address.toLowerCase() as Hex,
    blockNumber: BigInt(log.blockNumber),
    logIndex: where.logIndex,
    timestamp: BigInt(block.timestamp),
    chainId: BigInt(chainIdHex),
  }
  const msgHash = payloadHash(log)
  const selector = bytesToHex(keccak256(new TextEncoder().encode(VALIDATE_MESSAGE)).subarray(0, 4))
  const q = (v: bigint | number) => `0x${v.toString(16)}` as Hex
  return {
    identifier: {
      origin: id.origin,
      blockNumber: q(id.blockNumber),
      logIndex: q(id.logIndex),
      timestamp: q(id.timestamp),
      chainID: q(id.chainId),
    },
    payloadHash: bytesToHex(msgHash),
    accessList: [{ address: CROSS_L2_INBOX, storageKeys: encodeAccess(accessFor(id, msgHash)) }],
    validateMessageCalldata: `${selector}${encodeIdentifier(id).slice(2)}${bytesToHex(msgHash).slice(2)}` as Hex,
    log: { transactionHash: log.transactionHash, blockHash: log.blockHash, topics: log.topics, data: log.data },
  }
}

function notFound(message: string): ConfigError {
  // Not a configuration of a service, but the same contract: one line, exit 2.
  const err = new ConfigError('access-list', [message])
  err.message = `superguard access-list: ${message}`
  return err
}

function formatText(r: AccessListReport): string {
  const id = r.identifier
  const row = (label: string, value: string) => `  ${label.padEnd(16)}${value}`
  return `${[
    'identifier',
    row('origin', id.origin),
    row('block number', `${BigInt(id.blockNumber)}`),
    row('log index', `${BigInt(id.logIndex)}`),
    row('timestamp', `${BigInt(id.timestamp)}`),
    row('chain id', `${BigInt(id.chainID)}`),
    row('payload hash', r.payloadHash),
    '',
    `access list (CrossL2Inbox ${CROSS_L2_INBOX})`,
    ...r.accessList[0]!.storageKeys.map((k) => `  ${k}`),
    '',
    'as JSON (eth_sendRawTransaction access list)',
    `  ${JSON.stringify(r.accessList)}`,
    '',
    `validateMessage calldata (${VALIDATE_MESSAGE})`,
    `  ${r.validateMessageCalldata}`,
  ].join('\n')}\n`
}
