import { privateKeyToAccount } from 'viem/accounts'
import { DEV_KEYS } from '../../src/devnet/messages.js'
import { senderRecovery } from '../../src/engine/senderRecovery.js'
import { type SigningData, signingData } from '../../src/engine/signingData.js'
import { CROSS_L2_INBOX, type Hex } from '../../src/interop/index.js'
import { initKeccak } from '../../src/util/keccak.js'
import { ratio, report } from '../_harness.js'

// Sender recovery for the ingress's per-sender rate limit: libsecp256k1 (`secp256k1` package,
// N-API prebuild) against viem's noble, on the same signatures, one core each in turn.
await initKeccak()
const account = privateKeyToAccount(DEV_KEYS[0])
const N = 256
const raws: Hex[] = []
for (let i = 0; i < N; i++) {
  raws.push(
    await account.signTransaction({
      type: 'eip1559',
      chainId: 901,
      nonce: i,
      to: CROSS_L2_INBOX,
      gas: 200_000n,
      maxFeePerGas: 2n,
      maxPriorityFeePerGas: 1n,
      accessList: [
        { address: CROSS_L2_INBOX, storageKeys: [`0x01${i.toString(16).padStart(62, '0')}`, `0x03${'ab'.repeat(31)}`] },
      ],
    }),
  )
}
const data: SigningData[] = raws.map(signingData)
const expected = account.address.toLowerCase()

async function rate(seconds: number, op: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < 64; i++) await op(i % N) // warm-up
  let n = 0
  const start = performance.now()
  const end = start + seconds * 1000
  while (performance.now() < end) {
    for (let j = 0; j < 32; j++, n++) await op(n % N)
  }
  return Math.round(n / ((performance.now() - start) / 1000))
}

const native = senderRecovery('native')
const noble = senderRecovery('noble')
if (native.implementation !== 'native') throw new Error('the secp256k1 native binding did not load')
if (native.recover(data[0]!) !== expected || (await noble.recover(data[0]!)) !== expected)
  throw new Error('recovery mismatch')

const nativePerSec = await rate(2, (i) => native.recover(data[i]!))
const noblePerSec = await rate(2, (i) => noble.recover(data[i]!))
// What the ingress pays per interop transaction: re-parse, unsigned serialization, keccak, recovery.
const fullNativePerSec = await rate(2, (i) => native.recover(signingData(raws[i]!)))
report('ingress.senderRecovery', {
  nativePerSec,
  noblePerSec,
  ratio: ratio(nativePerSec, noblePerSec),
  fullNativePerSec,
  chosen: native.implementation,
})
