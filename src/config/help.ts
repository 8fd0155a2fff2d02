import { configFileEnv, envName, flagName, type OptionsSpec, type Spec } from './options.js'

/** --help text generated from the same spec the loader uses, so the two never disagree. */
export function formatHelp(usage: string, summary: string, def: Spec<OptionsSpec, never>): string {
  const rows = Object.entries(def.options).map(([key, s]) => {
    const arg =
      s.type === 'bool'
        ? ''
        : ` ${s.arg ?? (s.type === 'duration' ? 'DURATION' : s.type === 'chainId' ? 'ID' : s.type === 'enum' ? (s.choices ?? []).join('|') : s.type.toUpperCase())}`
    const names = [`--${flagName(key, s)}`, ...(s.aliases ?? []).map((a) => `--${a}`)].join(', ')
    const extra: string[] = []
    if (s.type === 'strings') extra.push('repeatable')
    if (s.default !== undefined && !(Array.isArray(s.default) && s.default.length === 0))
      extra.push(`default ${Array.isArray(s.default) ? s.default.join(',') : String(s.default)}`)
    if (s.required) extra.push('required')
    extra.push(`env ${envName(key, s, def.envPrefix)}`)
    return [`  ${names}${arg}`, `      ${s.help} (${extra.join('; ')})`]
  })
  return [
    `Usage: ${usage}`,
    '',
    summary,
    '',
    'Options:',
    ...rows.flat(),
    '  --config FILE',
    `      JSON file with options by name (env ${configFileEnv(def.envPrefix)})`,
    '  --help',
    '      show this help',
    '',
  ].join('\n')
}
