import { readFileSync } from 'node:fs'
import { RpcCode } from '../errors/index.js'
import type { Hex } from '../interop/index.js'
import { RemoteRpcError, RpcClient, TransportError } from '../rpc/index.js'
import { LoadtestError } from './errors.js'
import type { HarvestedChain, HarvestedLog } from './harvest.js'
import { type Mix, planCases } from './mix.js'
import type { WireRequest } from './protocol.js'
import { derivedKey, type Signer, signer } from './signer.js'
import { INTEROP_GAS, interopFields, SINK, TRANSFER_GAS } from './txs.js'
import { type Expected, judgeJsonRpc, type Workload } from './workload.js'

/** Expected answers of the ingress cases: a hash for what it forwards, -320600 for a forged message (proxyd: HTTP 409). */
export const INGRESS_EXPECT: Record<string, string> = {
  plain: 'null',
  valid: 'null',
  forged: String(RpcCode.ConflictingData),
}

export type IngressInput = {
  /** The chain the ingress forwards to: funding, nonces, chain id. */
  rpc: string
  /** Chains whose harvested logs the interop transactions execute (valid and forged). */
  chains: HarvestedChain[]
  keyFile: string
  senders: number
  connections: number
  /** Transactions to sign: each is sent once. */
  count: number
  mix: Mix
  timeoutMs: number
}

/**
 * Signed transactions, each sent once: plain transfers and interop transactions executing harvested
 * messages (valid, or forged with the checksum of another payload). Funds `senders` accounts from the
 * key first; each connection owns its own senders so nonces arrive in order, and a forged transaction
 * (which must be refused, so never lands) does not use up its sender's nonce.
 */
export async function ingressWorkload(input: IngressInput): Promise<Workload> {
  const funder = signer(readKey(input.keyFile))
  const client = new RpcClient(input.rpc, { timeoutMs: input.timeoutMs })
  try {
    const chainId = BigInt(await call<string>(client, input.rpc, 'eth_chainId'))
    const gasPrice = BigInt(await call<string>(client, input.rpc, 'eth_gasPrice'))
    const maxFee = gasPrice * 2n + 1_000_000_000n
    const tip = 1_000_000_000n
    // senders: a multiple of the connections, each connection owning senders/connections of them
    const perConnection = Math.max(1, Math.floor(input.senders / input.connections))
    const senders = Array.from({ length: perConnection * input.connections }, (_, i) =>
      signer(derivedKey(readKey(input.keyFile), i)),
    )
    const count = Math.ceil(input.count / input.connections) * input.connections
    const perSender = Math.ceil(count / senders.length)
    const funding = (INTEROP_GAS * maxFee + 1n) * BigInt(perSender) * 2n
    const fundStart = performance.now()
    await fund(client, input.rpc, funder, senders, funding, {
      chainId,
      maxFee,
      tip,
      timeoutMs: Math.max(input.timeoutMs, 30_000),
    })
    const fundMs = performance.now() - fundStart
    const nonces = await Promise.all(
      senders.map((s) => call<string>(client, input.rpc, 'eth_getTransactionCount', [s.address, 'pending'])),
    )
    const next = nonces.map((n) => Number(BigInt(n)))

    const logs: HarvestedLog[] = input.chains.flatMap((c) => c.logs)
    const cases = planCases(input.mix, count)
    if (logs.length === 0 && cases.some((c) => c !== 'plain'))
      throw new LoadtestError('the valid and forged cases execute harvested logs: no --rpc chain had any')
    const chunk = count / input.connections
    const requests: WireRequest[] = []
    const expected: Expected[] = []
    const signStart = performance.now()
    for (let i = 0; i < count; i++) {
      // the i-th request goes to connection floor(i / chunk) (the worker's slices); its senders take turns
      const conn = Math.floor(i / chunk)
      const s = conn * perConnection + ((i % chunk) % perConnection)
      const kase = cases[i]!
      const common = {
        type: 'eip1559' as const,
        chainId: Number(chainId),
        nonce: next[s]!,
        maxFeePerGas: maxFee,
        maxPriorityFeePerGas: tip,
      }
      let raw: Hex
      if (kase === 'plain') raw = senders[s]!.sign({ ...common, to: SINK, value: 1n, gas: TRANSFER_GAS })
      else raw = senders[s]!.sign({ ...common, ...interopFields(logs[i % logs.length]!, kase === 'forged', i) })
      // a refused transaction never lands: the sender's next one reuses its nonce
      if (kase !== 'forged') next[s]!++
      requests.push({
        body: JSON.stringify({ jsonrpc: '2.0', id: i + 1, method: 'eth_sendRawTransaction', params: [raw] }),
      })
      expected.push({ cases: [kase], expect: [INGRESS_EXPECT[kase]!] })
    }
    const signMs = performance.now() - signStart
    return {
      method: 'eth_sendRawTransaction',
      mix: Object.fromEntries(input.mix),
      batch: 1,
      first: { requests, expected },
      // a transaction that does not decode: any eth_sendRawTransaction endpoint answers it in JSON-RPC, nothing lands
      probe: [{ body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'eth_sendRawTransaction', params: ['0x00'] }) }],
      partition: true,
      judge: (body, exp) => judgeJsonRpc(body, exp),
      extra: async () => ({
        chainId: chainId.toString(),
        senders: senders.length,
        transactions: count,
        fundedWeiEach: funding.toString(),
        fundMs: Math.round(fundMs),
        signMs: Math.round(signMs),
      }),
    }
  } finally {
    client.close()
  }
}

/** Sends every sender short of `amount` its top-up from the funder, and waits for the last one to land. */
export async function fund(
  client: RpcClient,
  url: string,
  funder: Signer,
  senders: Signer[],
  amount: bigint,
  o: { chainId: bigint; maxFee: bigint; tip: bigint; timeoutMs: number; nonce?: number },
): Promise<void> {
  const balances = await client.batch(senders.map((s) => ({ method: 'eth_getBalance', params: [s.address, 'latest'] })))
  // `nonce`: the caller knows better than this endpoint (the chaos traffic asks every engine of the chain)
  let nonce =
    o.nonce ?? Number(BigInt(await call<string>(client, url, 'eth_getTransactionCount', [funder.address, 'pending'])))
  let last: Hex | undefined
  for (const [i, s] of senders.entries()) {
    const b = balances[i]!
    if (b.ok && BigInt(b.result as string) >= amount) continue
    const raw = funder.sign({
      type: 'eip1559',
      chainId: Number(o.chainId),
      nonce: nonce++,
      to: s.address,
      value: amount,
      gas: TRANSFER_GAS,
      maxFeePerGas: o.maxFee,
      maxPriorityFeePerGas: o.tip,
    })
    last = await call<Hex>(client, url, 'eth_sendRawTransaction', [raw])
  }
  if (last === undefined) return
  const deadline = Date.now() + o.timeoutMs
  for (;;) {
    const receipt = await call<{ status: string } | null>(client, url, 'eth_getTransactionReceipt', [last])
    if (receipt) {
      if (receipt.status !== '0x1') throw new LoadtestError(`funding transaction ${last} failed on ${url}`)
      return
    }
    if (Date.now() > deadline)
      throw new LoadtestError(`funding transaction ${last} not mined within ${o.timeoutMs} ms on ${url}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export function readKey(file: string): Hex {
  let text: string
  try {
    text = readFileSync(file, 'utf8').trim()
  } catch (err) {
    throw new LoadtestError(`--key-file ${file}: ${(err as Error).message}`)
  }
  const key = text.startsWith('0x') ? text : `0x${text}`
  if (!/^0x[0-9a-fA-F]{64}$/.test(key))
    throw new LoadtestError(`--key-file ${file}: expected a 32-byte hex private key`)
  return key.toLowerCase() as Hex
}

async function call<T>(client: RpcClient, url: string, method: string, params: unknown[] = []): Promise<T> {
  try {
    return await client.call<T>(method, params)
  } catch (err) {
    if (err instanceof TransportError) throw new LoadtestError(`--rpc ${url} unreachable (${method}): ${err.message}`)
    if (err instanceof RemoteRpcError)
      throw new LoadtestError(`--rpc ${url}: ${method} failed: ${err.rpcCode} ${err.message}`)
    throw err
  }
}
