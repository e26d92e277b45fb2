/**
 * The simple-statistics functions the quality metrics use, loaded in one place. The package ships a CommonJS build
 * (its "require" export) but declares its types as an ES module, so TypeScript refuses a plain `import` from this
 * CommonJS workspace (TS1479): the types come in as types, the functions through require(). Why the drift
 * summaries do not use it: exporter/README.md, "Dependencies".
 */
import type * as SimpleStatistics from 'simple-statistics' with { 'resolution-mode': 'import' };

const ss = require('simple-statistics') as typeof SimpleStatistics;

/** Arithmetic mean, its sum compensated (Kahan–Babuška–Neumaier). Throws on no values. */
export const mean = ss.mean;
/** √(Σx² / n). Throws on no values. */
export const rootMeanSquare = ss.rootMeanSquare;
