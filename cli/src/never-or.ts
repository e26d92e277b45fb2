/** A flag parser that also takes `never` (any case), read as null: `--drift-after never`. */
export function neverOr<T>(parse: (text: string) => T): (text: string) => T | null {
  return (text) => (text.trim().toLowerCase() === 'never' ? null : parse(text));
}
