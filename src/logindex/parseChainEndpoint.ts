import { parseChainId } from '../interop/index.js'
import type { ChainEndpoint } from './start.js'

/**
 * A `--rpc` value: `URL`, or `<chainId>=<URL>` to pin the chain id (decimal or 0x-hex), which
 * the indexer then checks against the endpoint's eth_chainId.
 */
export function parseChainEndpoint(value: string): ChainEndpoint {
  const m = /^([0-9]+|0x[0-9a-fA-F]+)=(.+)$/.exec(value.trim())
  const url = m ? m[2]! : value.trim()
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new TypeError(`invalid --rpc "${value}": expected URL or <chainId>=<URL>`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new TypeError(`invalid --rpc "${value}": only http(s) endpoints are supported`)
  return m ? { url, chainId: parseChainId(m[1]) } : { url }
}
