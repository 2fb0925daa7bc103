/**
 * Appends the current async stack to `error`'s stack, so an error raised deep in a driver (in a socket or
 * fetch callback, or behind a race of attempts) still shows the application's frames that ran the query. Call
 * it in a `catch` of an async function the application awaits. Returns `error`.
 */
export function withCallerStack(error: unknown): unknown {
  if (error instanceof Error && typeof error.stack === 'string') {
    const here = new Error().stack;
    const frames = here?.slice(here.indexOf('\n') + 1);
    if (frames !== undefined && frames.length > 0 && !error.stack.endsWith(frames)) {
      try {
        error.stack += `\n${frames}`;
      } catch {
        // A frozen error keeps its own stack.
      }
    }
  }
  return error;
}
