/**
 * Declarative option specs. Each role declares its options once; the loader derives
 * flags (`--kebab-case`), environment names (`SUPERGUARD_<ROLE>_UPPER_SNAKE`), --help text
 * and the TypeScript type of the resulting config from the same declaration.
 */
export type OptionType =
  | 'string'
  | 'int'
  | 'port'
  | 'number'
  | 'bool'
  | 'duration'
  | 'strings'
  | 'enum'
  | 'path'
  | 'chainId'

export type OptionSpec = {
  readonly type: OptionType
  readonly help: string
  /** Value used when no source sets the option (durations as strings, e.g. '2s'). */
  readonly default?: string | number | boolean | readonly string[]
  readonly required?: boolean
  readonly choices?: readonly string[]
  readonly min?: number
  readonly max?: number
  /** Flag name when it differs from the kebab-cased key (e.g. key `pollMs`, flag `poll`). */
  readonly flag?: string
  /** Extra flag names (e.g. a short alias). */
  readonly aliases?: readonly string[]
  /** Placeholder for --help, e.g. URL or FILE. */
  readonly arg?: string
}

export type OptionsSpec = Readonly<Record<string, OptionSpec>>

type ValueOf<S extends OptionSpec> = S['type'] extends 'int' | 'port' | 'number' | 'duration'
  ? number
  : S['type'] extends 'bool'
    ? boolean
    : S['type'] extends 'strings'
      ? string[]
      : S['type'] extends 'chainId'
        ? bigint
        : S['type'] extends 'enum'
          ? S['choices'] extends readonly (infer C)[]
            ? C
            : string
          : string

/** The typed, frozen config a spec produces: options with a default or `required` are always set. */
export type ConfigOf<T extends OptionsSpec> = {
  readonly [K in keyof T]: T[K] extends { default: unknown } | { required: true }
    ? ValueOf<T[K]>
    : ValueOf<T[K]> | undefined
}

/** What a library caller may give for one option: durations as ms or '2s', chain ids as bigint, number or string. */
type InputValueOf<S extends OptionSpec> = S['type'] extends 'duration'
  ? number | string
  : S['type'] extends 'chainId'
    ? bigint | number | string
    : S['type'] extends 'strings'
      ? readonly string[]
      : ValueOf<S>

type RequiredKeys<T extends OptionsSpec> = {
  [K in keyof T]: T[K] extends { required: true } ? (T[K] extends { default: unknown } ? never : K) : never
}[keyof T]

/**
 * A library caller's values (`startIngress({...})`): required options required, the rest optional
 * (undefined = unset). They are checked exactly as flags are (loadConfig's `values`).
 */
export type InputOf<T extends OptionsSpec> = { readonly [K in RequiredKeys<T>]: InputValueOf<T[K]> } & {
  readonly [K in Exclude<keyof T, RequiredKeys<T>>]?: InputValueOf<T[K]> | undefined
}

/** A role's options with what the loader needs around them. */
export type Spec<O extends OptionsSpec = OptionsSpec, C = void> = {
  /** Title of its ConfigError (`invalid engine-sim configuration`). */
  readonly role: string
  /** Environment names are `<envPrefix><FLAG>` (e.g. `SUPERGUARD_SWEEP_RPC`), except the shared ones. */
  readonly envPrefix: string
  readonly options: O
  /**
   * Rules across options (`--mode index needs --index PATH`), worded with flag names. Runs after
   * every option is read; an option that failed its own check is undefined here.
   */
  check?(config: ConfigOf<O>, context: C | undefined): readonly string[]
}

/** Identity with literal types kept, so `ConfigOf<typeof spec>` is exact. */
export function defineOptions<const T extends OptionsSpec>(spec: T): T {
  return spec
}

/** Identity with the options' literal types kept. */
export function defineSpec<const O extends OptionsSpec, C = void>(spec: Spec<O, C>): Spec<O, C> {
  return spec
}

/**
 * Options every role reads the same way, so one environment file sets them for all: their
 * environment name has no role (`SUPERGUARD_LOG_LEVEL`).
 */
export const SHARED_OPTIONS: ReadonlySet<string> = new Set(['logLevel'])

export const DEFAULT_ENV_PREFIX = 'SUPERGUARD_'

export function flagName(key: string, spec: OptionSpec): string {
  return spec.flag ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

export function envName(key: string, spec: OptionSpec, prefix = DEFAULT_ENV_PREFIX): string {
  return `${SHARED_OPTIONS.has(key) ? DEFAULT_ENV_PREFIX : prefix}${flagName(key, spec).replace(/-/g, '_').toUpperCase()}`
}

/** The environment name of the JSON config file (`--config FILE`). */
export function configFileEnv(prefix = DEFAULT_ENV_PREFIX): string {
  return `${prefix}CONFIG`
}
