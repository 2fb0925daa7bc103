/**
 * A raw statement written as parts: the corpus joins the parts with every separator below, so each comment
 * and whitespace style lands between every pair of tokens that matter (`select` | `nextval(...)`,
 * `from person` | `for update`, `explain` | options | statement).
 */
export interface RawBase {
  readonly name: string;
  readonly parts: readonly string[];
  /** Set when PostgreSQL refuses the statement because of a user function or view that writes. */
  readonly userFunction?: boolean;
}

/** Separators between parts: whitespace, line comments ended by each newline style, nested block comments. */
export const SEPARATORS: Readonly<Record<string, string>> = {
  space: ' ',
  lf: '\n',
  crlf: '\r\n',
  tab: '\t',
  'line-comment-lf': ' -- note\n',
  'line-comment-cr': ' -- note\r',
  'line-comment-crlf': ' -- note\r\n',
  'block-comment': ' /* note */ ',
  'empty-block-comment': '/**/',
  'nested-block-comment': ' /* outer /* inner */ still outer */ ',
  'block-comment-with-dashes': ' /* -- */ ',
  'line-comment-with-block-opener': ' -- /* not a block\n',
};

/** Text before the statement. */
export const PREFIXES: Readonly<Record<string, string>> = {
  'lead-line-comment-lf': '-- lead\n',
  'lead-line-comment-cr': '-- lead\r',
  'lead-block-comment': '/* lead */ ',
  'lead-nested-block-comment': '/* a /* b */ c */ ',
  'lead-keywords-in-comment': '/* insert into person; for update */ ',
  'lead-whitespace': '\n\t \r\n',
  'lead-statement': 'select 1; ',
};

/** Text after the statement. */
export const SUFFIXES: Readonly<Record<string, string>> = {
  semicolon: ';',
  'trail-line-comment': ' -- end',
  'trail-block-comment': ' /* end */',
  'trail-nested-block-comment': ' /* a /* b */ */',
  'trail-statement': '; select 1',
};

/** Every variant of `base` as `[variant name, text]`, without duplicate texts. */
export function rawVariants(base: RawBase): Array<readonly [string, string]> {
  const variants = new Map<string, string>();
  const add = (name: string, text: string) => {
    if (![...variants.values()].includes(text)) variants.set(name, text);
  };
  for (const [name, separator] of Object.entries(SEPARATORS)) add(name, base.parts.join(separator));
  const plain = base.parts.join(' ');
  for (const [name, prefix] of Object.entries(PREFIXES)) add(name, prefix + plain);
  for (const [name, suffix] of Object.entries(SUFFIXES)) add(name, plain + suffix);
  const [first, ...rest] = base.parts;
  if (first !== undefined && !/['"$]/.test(first))
    add('upper-case', [first.toUpperCase(), ...rest].join(' '));
  return [...variants];
}
