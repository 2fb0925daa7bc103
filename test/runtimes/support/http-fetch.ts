import { type GuestbookFetch, toRequestInit } from './guestbook-scenario.js';

/** A {@link GuestbookFetch} over real HTTP to `baseUrl` (with a 20 s deadline per request). */
export function httpFetch(baseUrl: string): GuestbookFetch {
  return (path, init) =>
    fetch(`${baseUrl}${path}`, { ...toRequestInit(init), signal: AbortSignal.timeout(20_000) });
}
