/**
 * The `AbortSignal` of the options argument Kysely passes after a compiled query (`executeQuery(query, options)`),
 * ignoring anything else a caller may pass there. Undefined where the runtime has no `AbortSignal`.
 */
export function signalOf(options: unknown): AbortSignal | undefined {
  const signal = (options as { readonly signal?: unknown } | undefined)?.signal;
  return typeof AbortSignal !== 'undefined' && signal instanceof AbortSignal ? signal : undefined;
}

/**
 * The options argument that hands `signal` to `executeQuery` (Kysely 0.29's cancellation; 0.28 connections
 * ignore it): none when there is no signal.
 *
 * ### Examples
 * ```ts
 * await connection.executeQuery(query, ...signalArgument(signal))
 * ```
 */
export function signalArgument(signal: AbortSignal | undefined): [] {
  return (signal === undefined ? [] : [{ signal }]) as [];
}
