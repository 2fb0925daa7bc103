/** Character classes of SQL text, PostgreSQL and SQLite alike, for the tokenizer. */

export function skipWord(sql: string, start: number): number {
  let at = start;
  while (at < sql.length && isWordPart(sql[at] as string)) at++;
  return at;
}

export function isQuote(char: string | undefined): boolean {
  return char === "'" || char === '"';
}

export function isSpace(char: string): boolean {
  return char === ' ' || char === '\n' || char === '\t' || char === '\r' || char === '\f' || char === '\v';
}

export function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}

export function isWordStart(char: string): boolean {
  return (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z') || char === '_' || char > '\u007f';
}

export function isTagPart(char: string): boolean {
  return isWordStart(char) || isDigit(char);
}

export function isWordPart(char: string): boolean {
  return isTagPart(char) || char === '$';
}
