export { ConfigError } from './errors.js'
export { formatHelp } from './help.js'
export { loadConfig, type LoadInput, type Loaded } from './load.js'
export { defineOptions, envName, flagName, type ConfigOf, type OptionSpec, type OptionsSpec } from './options.js'
