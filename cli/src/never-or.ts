/**
 * A flag parser that also takes `never` (any case): `--drift-after never`. It returns the string `'never'`, not null:
 * commander replaces a parser's null or undefined with `''`.
 */
export function neverOr<T>(parse: (text: string) => T): (text: string) => T | 'never' {
  return (text) => (text.trim().toLowerCase() === 'never' ? 'never' : parse(text));
}
