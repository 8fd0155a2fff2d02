import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseChainEndpoint } from '../../src/logindex/parseChainEndpoint.js'

test('accepts URL and <chainId>=<URL>', () => {
  assert.equal(parseChainEndpoint('http://127.0.0.1:8545'), { url: 'http://127.0.0.1:8545' })
  assert.equal(parseChainEndpoint('10=https://mainnet.optimism.io'), {
    url: 'https://mainnet.optimism.io',
    chainId: 10n,
  })
  assert.equal(parseChainEndpoint('0x385=http://a:1/x?y=1'), { url: 'http://a:1/x?y=1', chainId: 901n })
  const big = (1n << 200n).toString()
  assert.equal(parseChainEndpoint(`${big}=http://h`), { url: 'http://h', chainId: 1n << 200n })
})

test('rejects what is not an http(s) endpoint', () => {
  assert.throws(() => parseChainEndpoint('not a url'), /expected URL or <chainId>=<URL>/)
  assert.throws(() => parseChainEndpoint('ws://127.0.0.1:8546'), /only http/)
  assert.throws(() => parseChainEndpoint('abc=http://x'), /expected URL/)
})

test.run()
