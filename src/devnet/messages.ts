import { createPublicClient, http, type PublicClient } from 'viem'
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { accessFor, encodeAccess, encodeIdentifier, type Hex, type Identifier, payloadHash } from '../interop/index.js'
import { bytesToHex } from '../util/hex.js'
import { EMITTER_ADDRESS, EMITTER_CODE, INBOX_ADDRESS, INBOX_CODE, VALIDATE_MESSAGE_SELECTOR } from './contracts.js'

/**
 * The keys of the dev mnemonic's accounts 0..9 (`test test … junk`, public): funded on every anvil
 * and in engine-sim's default genesis (src/evm/genesis.ts DEV_ACCOUNTS, in the same order).
 */
export const DEV_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
  '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
  '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
] as const

export type DevChain = {
  url: string
  chainId: bigint
  client: PublicClient
}

/** An initiating message as a test or the devnet sees it: where it is and what it says. */
export type InitiatingMessage = { identifier: Identifier; payloadHash: Hex }

/** Connects to a local chain and installs the emitter and the CrossL2Inbox stand-in (anvil_setCode). */
export async function setupChain(url: string): Promise<DevChain> {
  const client = createPublicClient({ transport: http(url, { retryCount: 0 }) })
  const chainId = BigInt(await client.request({ method: 'eth_chainId' }))
  await client.request({ method: 'anvil_setCode' as never, params: [EMITTER_ADDRESS, EMITTER_CODE] as never })
  await client.request({ method: 'anvil_setCode' as never, params: [INBOX_ADDRESS, INBOX_CODE] as never })
  return { url, chainId, client }
}

/** Accounts sign locally; nonces are tracked here so many transactions can be in flight. */
export class DevSigner {
  readonly account: PrivateKeyAccount
  #nonce: Map<string, number> = new Map()
  constructor(privateKey: Hex = DEV_KEYS[0]) {
    this.account = privateKeyToAccount(privateKey)
  }

  async nextNonce(chain: DevChain): Promise<number> {
    let n = this.#nonce.get(chain.url)
    if (n === undefined)
      n = await chain.client.getTransactionCount({ address: this.account.address, blockTag: 'pending' })
    this.#nonce.set(chain.url, n + 1)
    return n
  }

  /** Forget the cached nonce (after a reorg or a dropped transaction). */
  resetNonce(chain: DevChain): void {
    this.#nonce.delete(chain.url)
  }

  /** Signs an EIP-1559 transaction and returns the raw hex (for eth_sendRawTransaction or an ingress). */
  async sign(
    chain: DevChain,
    tx: { to: Hex; data: Hex; accessList?: { address: Hex; storageKeys: Hex[] }[]; gas?: bigint; nonce?: number },
  ): Promise<Hex> {
    return this.account.signTransaction({
      type: 'eip1559',
      chainId: Number(chain.chainId),
      nonce: tx.nonce ?? (await this.nextNonce(chain)),
      to: tx.to,
      data: tx.data,
      accessList: tx.accessList ?? [],
      gas: tx.gas ?? 1_000_000n,
      maxFeePerGas: 100_000_000_000n,
      maxPriorityFeePerGas: 1_000_000_000n,
    })
  }
}

/** calldata for the emitter: `count` logs carrying `payload`. */
export function emitterCalldata(count: number, payload: Hex): Hex {
  return `0x${count.toString(16).padStart(64, '0')}${payload.slice(2)}`
}

/**
 * Sends one emitter transaction and waits for its receipt; returns the initiating messages
 * (identifier with the block's timestamp, payload hash) of the logs it emitted.
 */
export async function emitInitiating(
  chain: DevChain,
  signer: DevSigner,
  opts: { count?: number; payload?: Hex } = {},
): Promise<InitiatingMessage[]> {
  const count = opts.count ?? 1
  const raw = await signer.sign(chain, {
    to: EMITTER_ADDRESS,
    data: emitterCalldata(count, opts.payload ?? bytesToHex(crypto.getRandomValues(new Uint8Array(16)))),
    gas: 100_000n + BigInt(count) * 5_000n,
  })
  const hash = await chain.client.request({ method: 'eth_sendRawTransaction', params: [raw] })
  const receipt = await chain.client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  if (receipt.status !== 'success') throw new Error(`emitter transaction ${hash} reverted`)
  const block = await chain.client.getBlock({ blockHash: receipt.blockHash })
  return receipt.logs.map((log) => ({
    identifier: {
      origin: log.address.toLowerCase() as Hex,
      blockNumber: log.blockNumber,
      logIndex: log.logIndex,
      timestamp: block.timestamp,
      chainId: chain.chainId,
    },
    payloadHash: bytesToHex(payloadHash(log)),
  }))
}

/** The CrossL2Inbox access-list entries declaring `messages` (lookup, extension when needed, checksum). */
export function accessListEntries(messages: readonly InitiatingMessage[]): Hex[] {
  return messages.flatMap((m) => encodeAccess(accessFor(m.identifier, m.payloadHash)))
}

/**
 * Signs a transaction on `chain` that executes `message` through the inbox stand-in: it calls
 * validateMessage(identifier, payloadHash) and declares `entries` (default: the correct ones) in
 * its access list, as a real interop transaction does.
 */
export async function signExecuting(
  chain: DevChain,
  signer: DevSigner,
  message: InitiatingMessage,
  entries: Hex[] = accessListEntries([message]),
  nonce?: number,
): Promise<Hex> {
  const data =
    `${VALIDATE_MESSAGE_SELECTOR}${encodeIdentifier(message.identifier).slice(2)}${message.payloadHash.slice(2)}` as Hex
  return signer.sign(chain, {
    to: INBOX_ADDRESS as Hex,
    data,
    accessList: [{ address: INBOX_ADDRESS as Hex, storageKeys: entries }],
    gas: 200_000n,
    ...(nonce === undefined ? {} : { nonce }),
  })
}

/** Sends an executing transaction and waits for it to be mined; returns the receipt's block number. */
export async function sendExecuting(
  chain: DevChain,
  signer: DevSigner,
  message: InitiatingMessage,
  entries?: Hex[],
): Promise<{ hash: Hex; blockNumber: bigint }> {
  const raw = await signExecuting(chain, signer, message, entries)
  const hash = await chain.client.request({ method: 'eth_sendRawTransaction', params: [raw] })
  const receipt = await chain.client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
  if (receipt.status !== 'success') throw new Error(`executing transaction ${hash} reverted`)
  return { hash, blockNumber: receipt.blockNumber }
}
