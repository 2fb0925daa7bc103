/**
 * The `AbortSignal` of the options argument Kysely passes after a compiled query (`executeQuery(query, options)`),
 * ignoring anything else a caller may pass there. Undefined where the runtime has no `AbortSignal`.
 */
export function signalOf(options: unknown): AbortSignal | undefined {
  const signal = (options as { readonly signal?: unknown } | undefined)?.signal;
  return typeof AbortSignal !== 'undefined' && signal instanceof AbortSignal ? signal : undefined;
}
