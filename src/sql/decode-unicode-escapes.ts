/**
 * Decodes the body of a PostgreSQL `U&'...'` string or `U&"..."` name: `\XXXX` and `\+XXXXXX` code points
 * and a doubled escape character, with `marker` in place of the backslash when a `UESCAPE` clause names one.
 * An invalid escape is kept as written (PostgreSQL would refuse the statement).
 *
 * ### Examples
 * ```ts
 * decodeUnicodeEscapes('d\\0061t\\+000061', '\\') // 'data'
 * ```
 */
export function decodeUnicodeEscapes(body: string, marker: string): string {
  if (marker.length !== 1) return body;
  let value = '';
  for (let at = 0; at < body.length; at++) {
    const char = body[at] as string;
    if (char !== marker) {
      value += char;
      continue;
    }
    if (body[at + 1] === marker) {
      value += marker;
      at++;
      continue;
    }
    const long = body[at + 1] === '+';
    const hex = long ? body.slice(at + 2, at + 8) : body.slice(at + 1, at + 5);
    const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === (long ? 6 : 4) ? Number.parseInt(hex, 16) : NaN;
    if (Number.isNaN(code) || code > 0x10ffff) {
      value += char;
      continue;
    }
    value += String.fromCodePoint(code);
    at += long ? 7 : 4;
  }
  return value;
}
