import { UsageError } from '@plumbline/service-kit/cli';

/** A bad input file: the message names the file and, where there is one, the line. Exit code 2. */
export class TableError extends UsageError {
  constructor(
    readonly file: string,
    readonly line: number | null,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}${line !== null ? `:${line}` : ''}: ${detail}`, { cause: options?.cause });
    this.name = 'TableError';
  }
}
