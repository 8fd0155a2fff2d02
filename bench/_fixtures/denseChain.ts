import { type Anvil, startAnvil } from '../../src/devnet/anvil.js'
import { EMITTER_ADDRESS } from '../../src/devnet/contracts.js'
import { emitterCalldata, setupChain } from '../../src/devnet/messages.js'
import { RpcClient } from '../../src/rpc/index.js'
import { toQuantity } from '../../src/util/hex.js'
import { between, seededRandom } from './random.js'

export type DenseChainOptions = {
  chainId?: number
  /** Blocks mined after genesis. */
  blocks?: number
  /** Share of blocks without any transaction. */
  emptyShare?: number
  /** Emitter transactions per non-empty block, and logs per transaction (inclusive ranges). */
  txsPerBlock?: [number, number]
  logsPerTx?: [number, number]
  seed?: number
}

export type DenseChain = {
  anvil: Anvil
  url: string
  head: bigint
  /** Logs of block n at index n (genesis included, with 0). */
  logsPerBlock: number[]
  logs: number
  txs: number
  /** Wall time of the generation (not part of any measurement). */
  seconds: number
}

/**
 * A local anvil with a dense, realistic-looking history: `blocks` blocks 2 s apart ending about
 * now, most holding one to a few emitter transactions of tens to a hundred-odd logs each
 * (LOG2 with a 32-byte payload, the shape of an ERC-20 Transfer), some empty. anvil signs
 * (eth_sendTransaction from its unlocked dev account) so the generator spends no time on ECDSA;
 * `--no-mining` + `evm_mine` puts exactly the chosen transactions in each block.
 */
export async function startDenseChain({
  chainId = 901,
  blocks = 2_000,
  emptyShare = 0.1,
  txsPerBlock = [1, 3],
  logsPerTx = [20, 120],
  seed = 1,
}: DenseChainOptions = {}): Promise<DenseChain> {
  const started = performance.now()
  const rand = seededRandom(seed)
  const genesis = Math.floor(Date.now() / 1000) - 2 * blocks - 60
  const anvil = await startAnvil({ chainId, args: ['--no-mining', '--timestamp', String(genesis)] })
  try {
    await setupChain(anvil.url)
    const client = new RpcClient(anvil.url, { timeoutMs: 30_000 })
    const [from] = await client.call<string[]>('eth_accounts')
    await client.call('anvil_setBlockTimestampInterval', [2])
    const logsPerBlock = [0]
    let nonce = 0
    let txs = 0
    for (let b = 1; b <= blocks; b++) {
      const k = rand() < emptyShare ? 0 : between(rand, txsPerBlock[0], txsPerBlock[1])
      let logs = 0
      const calls = []
      for (let t = 0; t < k; t++) {
        const count = between(rand, logsPerTx[0], logsPerTx[1])
        const payload = `0x${Math.floor(rand() * 2 ** 52)
          .toString(16)
          .padStart(64, '0')}` as const
        calls.push({
          method: 'eth_sendTransaction',
          params: [
            {
              from,
              to: EMITTER_ADDRESS,
              data: emitterCalldata(count, payload),
              gas: toQuantity(100_000 + count * 5_000),
              nonce: toQuantity(nonce++),
            },
          ],
        })
        logs += count
      }
      if (calls.length > 0) {
        for (const r of await client.batch(calls)) if (!r.ok) throw r.error
      }
      await client.call('evm_mine')
      logsPerBlock.push(logs)
      txs += k
    }
    client.close()
    return {
      anvil,
      url: anvil.url,
      head: BigInt(blocks),
      logsPerBlock,
      logs: logsPerBlock.reduce((a, b) => a + b, 0),
      txs,
      seconds: (performance.now() - started) / 1000,
    }
  } catch (err) {
    await anvil.stop()
    throw err
  }
}
