/**
 * `@plumbline/service-kit/cli`: what a command registration needs — the argument parsers and the usage error —
 * and nothing else, so `plumbline --version` and `plumbline <command> --help` do not load zod, yaml or the HTTP
 * helpers. Register functions (register*Commands) import from here; their action handlers require the rest.
 */
export { UsageError, isUsageError } from './usage-error';
export { integerArg, numberArg, portArg, durationArg } from './args';
