import type { Hex } from '../engine/types.js'
import { isHex } from '../util/hex.js'
import { EMITTER_ADDRESS, EMITTER_CODE, INBOX_ADDRESS, INBOX_CODE } from './contracts.js'

/** One account of a genesis alloc (op-geth's GenesisAccount). */
export type AllocAccount = {
  balance: bigint
  nonce: bigint
  code: Hex
  /** 32-byte slot → 32-byte value, both lower-case hex. */
  storage: ReadonlyMap<Hex, Hex>
}

/**
 * What engine-sim's block 0 is made of: op-geth's genesis JSON (`--genesis FILE`) or the default.
 * Header fields the file does not give keep geth's defaults (base fee 1 gwei, gas limit 30M).
 */
export type Genesis = {
  chainId: number
  timestamp: bigint
  gasLimit: bigint
  baseFee: bigint
  /** undefined: the fork's default extraData (Holocene+: zero EIP-1559 params). */
  extraData: Hex | undefined
  mixHash: Hex
  coinbase: Hex
  alloc: ReadonlyMap<Hex, AllocAccount>
}

/**
 * The addresses of the well-known development mnemonic "test test test test test test test test
 * test test test junk" (m/44'/60'/0'/0/0…9), the ones anvil funds; test/evm/genesis.test.ts
 * derives them again from the mnemonic.
 */
export const DEV_ACCOUNTS: readonly Hex[] = [
  '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
  '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc',
  '0x90f79bf6eb2c4f870365e785982e1f101e93b906',
  '0x15d34aaf54267db7d7c367839aaf71a00a2c6a65',
  '0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc',
  '0x976ea74026e726554db657fa54763abd0c3a0aa9',
  '0x14dc79964da2c08b23698b3d3cc7ca32193d9955',
  '0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f',
  '0xa0ee7a142d267c1f36714e4a8f75612f20a79720',
]
/** 10,000 ETH each, as anvil. */
export const DEV_BALANCE = 10_000n * 10n ** 18n
/**
 * The default genesis time: fixed, so engine-sims started with equal flags share block 0 whenever
 * they start (a standalone sequencer anchors its slot grid on the head, so a past genesis is fine).
 */
export const DEFAULT_GENESIS_TIME = 0n
export const DEFAULT_GENESIS_GAS_LIMIT = 30_000_000n
/** geth's params.InitialBaseFee. */
export const DEFAULT_GENESIS_BASE_FEE = 1_000_000_000n

const ZERO_HASH: Hex = `0x${'00'.repeat(32)}`
const ZERO_ADDRESS: Hex = `0x${'00'.repeat(20)}`

function account(balance: bigint, code: Hex = '0x'): AllocAccount {
  return { balance, nonce: 0n, code, storage: new Map() }
}

/**
 * The default genesis: the ten dev accounts funded, the CrossL2Inbox stand-in at 0x4200…0022
 * (emits ExecutingMessage as the predeploy does) and the event emitter at 0x…0e1771, both with the
 * runtime code the devnet installs on anvil (src/evm/contracts.ts).
 */
export function defaultGenesis(o: { chainId: number; timestamp?: bigint; gasLimit?: bigint }): Genesis {
  const alloc = new Map<Hex, AllocAccount>()
  for (const a of DEV_ACCOUNTS) alloc.set(a, account(DEV_BALANCE))
  alloc.set(INBOX_ADDRESS.toLowerCase() as Hex, account(0n, INBOX_CODE))
  alloc.set(EMITTER_ADDRESS, account(0n, EMITTER_CODE))
  return {
    chainId: o.chainId,
    timestamp: o.timestamp ?? DEFAULT_GENESIS_TIME,
    gasLimit: o.gasLimit ?? DEFAULT_GENESIS_GAS_LIMIT,
    baseFee: DEFAULT_GENESIS_BASE_FEE,
    extraData: undefined,
    mixHash: ZERO_HASH,
    coinbase: ZERO_ADDRESS,
    alloc,
  }
}

/** A genesis file that cannot be used; the message names the field. */
export class GenesisError extends Error {
  override name = 'GenesisError'
}

/** A JSON quantity as geth reads it: hex string, decimal string or number. */
function quantity(v: unknown, what: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  if (typeof v === 'string' && /^0x[0-9a-fA-F]+$/.test(v)) return BigInt(v)
  if (typeof v === 'string' && /^[0-9]+$/.test(v)) return BigInt(v)
  throw new GenesisError(`${what}: expected a hex or decimal quantity`)
}

function bytes(v: unknown, what: string, size?: number): Hex {
  const s = typeof v === 'string' && !v.startsWith('0x') ? `0x${v}` : v
  if (!isHex(s, size)) throw new GenesisError(`${what}: expected ${size ? `${size} bytes of ` : ''}hex`)
  return s.toLowerCase() as Hex
}

function word(v: unknown, what: string): Hex {
  const h = bytes(v, what)
  if (h.length > 66) throw new GenesisError(`${what}: longer than 32 bytes`)
  return `0x${h.slice(2).padStart(64, '0')}`
}

/**
 * op-geth's genesis JSON (`config.chainId`, `timestamp`, `gasLimit`, `baseFeePerGas`, `extraData`,
 * `mixHash`, `coinbase`, `alloc` of balance/nonce/code/storage). Other config fields (fork times,
 * the optimism block) are not read: engine-sim runs one fork (`--fork`) for its whole chain.
 */
export function parseGenesisJson(json: unknown): Genesis {
  if (typeof json !== 'object' || json === null) throw new GenesisError('genesis: expected a JSON object')
  const g = json as Record<string, unknown>
  const config = g.config as Record<string, unknown> | undefined
  if (typeof config !== 'object' || config === null) throw new GenesisError('config: missing')
  const chainId = quantity(config.chainId, 'config.chainId')
  if (chainId < 1n || chainId > BigInt(Number.MAX_SAFE_INTEGER)) throw new GenesisError('config.chainId: out of range')
  const alloc = new Map<Hex, AllocAccount>()
  const rawAlloc = (g.alloc ?? {}) as Record<string, unknown>
  if (typeof rawAlloc !== 'object' || rawAlloc === null) throw new GenesisError('alloc: expected an object')
  for (const [addr, value] of Object.entries(rawAlloc)) {
    const address = bytes(addr, `alloc key ${addr}`, 20)
    const a = value as Record<string, unknown>
    if (typeof a !== 'object' || a === null) throw new GenesisError(`alloc.${addr}: expected an object`)
    const storage = new Map<Hex, Hex>()
    const rawStorage = (a.storage ?? {}) as Record<string, unknown>
    for (const [k, v] of Object.entries(rawStorage))
      storage.set(word(k, `alloc.${addr}.storage key`), word(v, `alloc.${addr}.storage.${k}`))
    alloc.set(address, {
      balance: a.balance === undefined ? 0n : quantity(a.balance, `alloc.${addr}.balance`),
      nonce: a.nonce === undefined ? 0n : quantity(a.nonce, `alloc.${addr}.nonce`),
      code: a.code === undefined ? '0x' : bytes(a.code, `alloc.${addr}.code`),
      storage,
    })
  }
  return {
    chainId: Number(chainId),
    timestamp: g.timestamp === undefined ? DEFAULT_GENESIS_TIME : quantity(g.timestamp, 'timestamp'),
    gasLimit: g.gasLimit === undefined ? DEFAULT_GENESIS_GAS_LIMIT : quantity(g.gasLimit, 'gasLimit'),
    baseFee: g.baseFeePerGas === undefined ? DEFAULT_GENESIS_BASE_FEE : quantity(g.baseFeePerGas, 'baseFeePerGas'),
    extraData: g.extraData === undefined ? undefined : bytes(g.extraData, 'extraData'),
    mixHash: g.mixHash === undefined ? ZERO_HASH : bytes(g.mixHash, 'mixHash', 32),
    coinbase: g.coinbase === undefined ? ZERO_ADDRESS : bytes(g.coinbase, 'coinbase', 20),
    alloc,
  }
}

/** The genesis as op-geth / anvil JSON (for `anvil --init`, or to write a file engine-sim reads back). */
export function genesisToJson(g: Genesis): Record<string, unknown> {
  const q = (v: bigint) => `0x${v.toString(16)}`
  const alloc: Record<string, unknown> = {}
  for (const [addr, a] of g.alloc) {
    const entry: Record<string, unknown> = { balance: q(a.balance) }
    if (a.nonce !== 0n) entry.nonce = q(a.nonce)
    if (a.code !== '0x') entry.code = a.code
    if (a.storage.size > 0) entry.storage = Object.fromEntries(a.storage)
    alloc[addr] = entry
  }
  const out: Record<string, unknown> = {
    config: { chainId: g.chainId },
    timestamp: q(g.timestamp),
    gasLimit: q(g.gasLimit),
    baseFeePerGas: q(g.baseFee),
    mixHash: g.mixHash,
    coinbase: g.coinbase,
    alloc,
  }
  if (g.extraData !== undefined) out.extraData = g.extraData
  return out
}
