export { UsageError, isUsageError } from './usage-error';
export { integerArg, numberArg, portArg, durationArg } from './args';
export {
  createConfigLoader,
  formatConfigIssue,
  flagName,
  COMMAND_LINE,
  type ConfigErrorFactory,
  type ConfigIssue,
  type ConfigLoader,
  type ConfigLoaderSpec,
  type LoadConfigOptions,
  type Setting,
  type Settings,
} from './config/loader';
export { readConfigFile } from './config/read-config-file';
export { durationSeconds, readValue, ValueKindError, type ValueKind } from './config/value-kinds';
