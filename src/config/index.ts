export { ConfigError } from './errors.js'
export { formatHelp } from './help.js'
export { type Loaded, type LoadInput, loadConfig } from './load.js'
export {
  type ConfigOf,
  configFileEnv,
  defineOptions,
  defineSpec,
  envName,
  flagName,
  type InputOf,
  type OptionSpec,
  type OptionsSpec,
  SHARED_OPTIONS,
  type Spec,
} from './options.js'
