/**
 * Declarative option specs. Each role declares its options once; the loader derives
 * flags (`--kebab-case`), environment names (`SUPERGUARD_UPPER_SNAKE`), --help text
 * and the TypeScript type of the resulting config from the same declaration.
 */
export type OptionType = 'string' | 'int' | 'port' | 'number' | 'bool' | 'duration' | 'strings' | 'enum' | 'path'

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

type ValueOf<S extends OptionSpec> =
  S['type'] extends 'int' | 'port' | 'number' | 'duration' ? number
  : S['type'] extends 'bool' ? boolean
  : S['type'] extends 'strings' ? string[]
  : S['type'] extends 'enum' ? (S['choices'] extends readonly (infer C)[] ? C : string)
  : string

/** The typed, frozen config a spec produces: options with a default or `required` are always set. */
export type ConfigOf<T extends OptionsSpec> = {
  readonly [K in keyof T]: T[K] extends { default: unknown } | { required: true } ? ValueOf<T[K]> : ValueOf<T[K]> | undefined
}

/** Identity with literal types kept, so `ConfigOf<typeof spec>` is exact. */
export function defineOptions<const T extends OptionsSpec>(spec: T): T {
  return spec
}

export function flagName(key: string, spec: OptionSpec): string {
  return spec.flag ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

export function envName(key: string, spec: OptionSpec): string {
  return `SUPERGUARD_${flagName(key, spec).replace(/-/g, '_').toUpperCase()}`
}
