export { ConfigError } from './errors.js'
export { formatHelp } from './help.js'
export { loadConfig, type LoadInput, type Loaded } from './load.js'
export {
  configFileEnv,
  defineOptions,
  defineSpec,
  envName,
  flagName,
  SHARED_OPTIONS,
  type ConfigOf,
  type InputOf,
  type OptionSpec,
  type OptionsSpec,
  type Spec,
} from './options.js'
