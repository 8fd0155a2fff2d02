import { createRequire } from 'node:module'

type ViemUtils = typeof import('viem/utils')
type ViemOpStack = typeof import('viem/op-stack')

const require = createRequire(import.meta.url)
let utils: ViemUtils | undefined
let opStack: ViemOpStack | undefined

/**
 * viem's utils, loaded on first use with require(): a role that imports the transaction parse but
 * parses nothing before it is healthy (engine-sims, ingresses) no longer loads ~270 of viem's
 * modules at start, 9 + 3 processes of the 3×3 topology. The CommonJS build also loads in
 * ~90 CPU-ms against ~150 for the ES modules (viem/op-stack, this machine). A process that also
 * imports viem as ES modules holds both copies; they share no state we rely on (pure functions;
 * errors are read by their `shortMessage`, never by class).
 */
export function viemUtils(): ViemUtils {
  utils ??= require('viem/utils') as ViemUtils
  return utils
}

/** viem/op-stack (the OP transaction parse, deposits included), loaded on first use as viemUtils. */
export function viemOpStack(): ViemOpStack {
  opStack ??= require('viem/op-stack') as ViemOpStack
  return opStack
}
