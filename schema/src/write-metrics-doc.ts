/** `npm run docs:metrics`: rewrites the generated table in docs/metrics.md from the catalog. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { updateMetricsDoc } from './metrics-doc';
import { reportWritten, writeGeneratedFiles } from './write-generated-files';

const docs = join(__dirname, '..', '..', 'docs');
const current = readFileSync(join(docs, 'metrics.md'), 'utf8');
reportWritten(writeGeneratedFiles(docs, new Map([['metrics.md', updateMetricsDoc(current)]])));
