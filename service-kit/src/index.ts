export { UsageError, isUsageError } from './usage-error';
