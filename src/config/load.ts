import { readFileSync } from 'node:fs'
import { parseDuration } from '../util/duration.js'
import { ConfigError } from './errors.js'
import {
  type ConfigOf,
  configFileEnv,
  envName,
  flagName,
  type InputOf,
  type OptionSpec,
  type OptionsSpec,
  type Spec,
} from './options.js'

export type LoadInput<O extends OptionsSpec = OptionsSpec, C = void> = {
  argv?: readonly string[]
  env?: Readonly<Record<string, string | undefined>>
  /** A JSON config file (as `--config FILE`; the flag wins). */
  file?: string
  /**
   * A library caller's values (`startIngress({...})`), over env, file and defaults, under flags.
   * Each is checked exactly as the same flag would be, and a problem is worded the same.
   */
  values?: Partial<InputOf<O>> | Readonly<Partial<ConfigOf<O>>>
  /** Passed to the spec's check() (e.g. whether the sweep was given an accepted set). */
  context?: C
}

export type Loaded<T extends OptionsSpec> = {
  config: ConfigOf<T>
  /** Arguments that are not options, in order (e.g. `superguard inspect <hex...>`). */
  positionals: string[]
  help: boolean
}

type Raw = { value: unknown; source: string }

/**
 * Builds a role's config from flags > library values > `<envPrefix>*` environment > JSON file
 * (`--config FILE`) > defaults, validates every option, then the spec's cross-option rules, and
 * throws one ConfigError listing all problems (missing required options among them).
 */
export function loadConfig<const O extends OptionsSpec, C = void>(
  def: Spec<O, C>,
  input: LoadInput<O, C> = {},
): Loaded<O> {
  const { options: spec, envPrefix } = def
  const argv = input.argv ?? []
  const env = input.env ?? {}
  const values = (input.values ?? {}) as Readonly<Record<string, unknown>>
  const problems: string[] = []
  const byFlag = new Map<string, string>()
  for (const [key, s] of Object.entries(spec)) {
    byFlag.set(flagName(key, s), key)
    for (const a of s.aliases ?? []) byFlag.set(a, key)
  }

  const fromFlags = new Map<string, Raw>()
  const positionals: string[] = []
  let help = false
  let configFile: string | undefined = input.file ?? env[configFileEnv(envPrefix)]
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (arg === '--help' || arg === '-h') {
      help = true
      continue
    }
    if (!arg.startsWith('--') || arg.length === 2) {
      positionals.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    let name = eq === -1 ? arg.slice(2) : arg.slice(2, eq)
    let inline: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1)
    if (name === 'config') {
      configFile = inline ?? argv[++i]
      if (configFile === undefined) problems.push('--config needs a FILE')
      continue
    }
    let negated = false
    if (!byFlag.has(name) && name.startsWith('no-') && byFlag.has(name.slice(3))) {
      name = name.slice(3)
      negated = true
    }
    const key = byFlag.get(name)
    if (!key) {
      problems.push(`unknown option --${name}`)
      continue
    }
    const s = spec[key]!
    // `--no-x` only negates booleans, and takes no value
    if (negated && s.type !== 'bool') {
      problems.push(`unknown option --no-${name}`)
      continue
    }
    if (negated && inline !== undefined) {
      problems.push(`--no-${name} takes no value`)
      continue
    }
    let value: string | boolean
    if (s.type === 'bool') {
      if (inline !== undefined) value = inline
      else value = !negated
    } else {
      if (inline === undefined) {
        const next = argv[i + 1]
        if (next === undefined || (next.startsWith('--') && next.length > 2)) {
          problems.push(`--${name} needs a value`)
          continue
        }
        inline = next
        i++
      }
      value = inline
    }
    const prev = fromFlags.get(key)
    if (s.type === 'strings') {
      const list = prev ? (prev.value as string[]) : []
      list.push(String(value))
      fromFlags.set(key, { value: list, source: `--${name}` })
    } else {
      fromFlags.set(key, { value, source: `--${name}` })
    }
  }

  let fromFile: Record<string, unknown> = {}
  if (configFile !== undefined) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(configFile, 'utf8'))
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        problems.push(`config file ${configFile}: not a JSON object`)
      else fromFile = parsed as Record<string, unknown>
    } catch (err) {
      problems.push(`config file ${configFile}: ${(err as Error).message}`)
    }
    // A file names an option by its key or by its flag in camelCase ("interval" for --interval,
    // whose key is intervalMs): what an operator reading --help writes.
    const byName = new Map<string, string>()
    for (const [key, s] of Object.entries(spec)) {
      byName.set(key, key)
      byName.set(
        flagName(key, s).replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()),
        key,
      )
    }
    const named: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(fromFile)) {
      const key = byName.get(k)
      if (key === undefined) problems.push(`config file ${configFile}: unknown option "${k}"`)
      else named[key] = v
    }
    fromFile = named
  }

  for (const k of Object.keys(values)) if (!(k in spec)) problems.push(`unknown option "${k}"`)

  const out: Record<string, unknown> = {}
  const failed = new Set<string>()
  for (const [key, s] of Object.entries(spec)) {
    const envKey = envName(key, s, envPrefix)
    let raw: Raw | undefined = fromFlags.get(key)
    // A library value is worded as its flag, so a caller reads the same problem the CLI prints.
    if (!raw && values[key] !== undefined) raw = { value: values[key], source: `--${flagName(key, s)}` }
    if (!raw && env[envKey] !== undefined && env[envKey] !== '') {
      const v = env[envKey]!
      raw = {
        value:
          s.type === 'strings'
            ? v
                // A comma before `key=` continues the item: an endpoint's own options (URL,jwt=FILE,name=N).
                .split(/,(?![a-z][a-z0-9-]*=)/)
                .map((x) => x.trim())
                .filter(Boolean)
            : v,
        source: envKey,
      }
    }
    if (!raw && key in fromFile) raw = { value: fromFile[key], source: `config file "${key}"` }
    if (!raw && s.default !== undefined) raw = { value: s.default, source: 'default' }
    if (!raw) {
      if (s.required && !help) {
        problems.push(`--${flagName(key, s)} is required (${s.help})`)
        failed.add(key)
      }
      continue
    }
    const result = coerce(s, raw.value)
    if (typeof result === 'string') {
      problems.push(`${raw.source}: ${result}`)
      failed.add(key)
    } else out[key] = result.value
  }

  if (help) return { config: Object.freeze(out) as ConfigOf<O>, positionals, help }
  if (def.check) {
    try {
      problems.push(...def.check(out as ConfigOf<O>, input.context))
    } catch (err) {
      // A rule that trips over an option already reported adds nothing; alone, it is a bug.
      if (failed.size === 0) throw err
    }
  }
  if (problems.length > 0) throw new ConfigError(def.role, problems)
  return { config: Object.freeze(out) as ConfigOf<O>, positionals, help }
}

function coerce(s: OptionSpec, value: unknown): { value: unknown } | string {
  switch (s.type) {
    case 'string':
    case 'path':
      return typeof value === 'string' && value.length > 0
        ? { value }
        : `expected a non-empty string, got ${JSON.stringify(value)}`
    case 'strings': {
      const list = Array.isArray(value) ? value : [value]
      if (!list.every((v) => typeof v === 'string' && v.length > 0))
        return `expected strings, got ${JSON.stringify(value)}`
      return { value: Object.freeze([...list]) }
    }
    case 'bool':
      if (typeof value === 'boolean') return { value }
      if (value === 'true' || value === '1') return { value: true }
      if (value === 'false' || value === '0') return { value: false }
      return `expected true or false, got ${JSON.stringify(value)}`
    case 'chainId':
      return chainId(value)
    case 'enum':
      return typeof value === 'string' && s.choices?.includes(value)
        ? { value }
        : `expected one of ${s.choices?.join(', ')}, got ${JSON.stringify(value)}`
    case 'duration': {
      try {
        const ms = parseDuration(value as string | number)
        return inRange(s, ms, formatMs)
      } catch (err) {
        return (err as Error).message
      }
    }
    case 'int':
    case 'port':
    case 'number': {
      const n =
        typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN
      if (!Number.isFinite(n)) return `expected a number, got ${JSON.stringify(value)}`
      if (s.type !== 'number' && !Number.isInteger(n)) return `expected an integer, got ${JSON.stringify(value)}`
      if (s.type === 'port' && (n < 0 || n > 65535)) return `expected a port 0..65535, got ${n}`
      return inRange(s, n, String)
    }
  }
}

function inRange(s: OptionSpec, n: number, fmt: (n: number) => string): { value: number } | string {
  if (s.min !== undefined && n < s.min) return `must be at least ${fmt(s.min)}, got ${fmt(n)}`
  if (s.max !== undefined && n > s.max) return `must be at most ${fmt(s.max)}, got ${fmt(n)}`
  return { value: n }
}

const formatMs = (n: number) => `${n}ms`

const MAX_UINT256 = (1n << 256n) - 1n

/** A chain id: decimal or 0x string, safe integer or bigint, up to uint256 (a regex, not viem: --help stays light). */
function chainId(value: unknown): { value: bigint } | string {
  let n: bigint | undefined
  if (typeof value === 'bigint') n = value
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value)
  else if (typeof value === 'string' && /^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/.test(value)) n = BigInt(value)
  if (n === undefined || n < 0n || n > MAX_UINT256)
    return `expected a decimal or 0x chain id, got ${typeof value === 'bigint' ? value.toString() : JSON.stringify(value)}`
  return { value: n }
}
