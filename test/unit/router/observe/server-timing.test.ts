import { describe, expect, it } from 'vitest';
import { serverTiming } from '../../../../src/router/observe/server-timing.js';
import { withServerTiming } from '../../../../src/router/observe/with-server-timing.js';

describe('serverTiming', () => {
  it('formats names, rounded durations and quoted descriptions', () => {
    expect(
      serverTiming([
        { name: 'db', durationMs: 12.345, description: 'replica-1 (p2c)' },
        { name: 'cache', description: 'hit' },
        { name: 'hedge', durationMs: 0 },
      ]),
    ).toBe('db;dur=12.3;desc="replica-1 (p2c)", cache;desc="hit", hedge;dur=0');
    expect(serverTiming([])).toBe('');
  });

  it('cannot be used to split or break the header', () => {
    const value = serverTiming([
      { name: 'db name\r\nset-cookie: x=1', durationMs: Number.NaN, description: 'a"b\\c\r\nd€' },
      { name: '', durationMs: -1 },
    ]);
    expect(value).toBe('db_name__set-cookie__x_1;desc="a\\"b\\\\c??d?", metric');
    expect(() => new Headers({ 'Server-Timing': value })).not.toThrow();
  });
});

describe('withServerTiming', () => {
  it('appends to existing entries and keeps status, headers and body', async () => {
    const original = new Response('{"ok":true}', {
      status: 201,
      headers: { 'content-type': 'application/json', 'server-timing': 'app;dur=1' },
    });
    const timed = withServerTiming(original, [{ name: 'db', durationMs: 4 }]);
    expect(timed.status).toBe(201);
    expect(timed.headers.get('content-type')).toBe('application/json');
    expect(timed.headers.get('server-timing')).toBe('app;dur=1, db;dur=4');
    expect(await timed.text()).toBe('{"ok":true}');
  });

  it('works on responses with immutable headers', () => {
    const redirect = Response.redirect('https://example.com/next', 302);
    expect(() => redirect.headers.set('x', '1')).toThrow(TypeError);
    const timed = withServerTiming(redirect, [{ name: 'db', durationMs: 1 }]);
    expect(timed.headers.get('server-timing')).toBe('db;dur=1');
    expect(timed.headers.get('location')).toBe('https://example.com/next');
  });

  it('returns the response untouched when there is nothing to add or it cannot be rebuilt', () => {
    const response = new Response('x');
    expect(withServerTiming(response, [])).toBe(response);
    const failed = Response.error();
    expect(withServerTiming(failed, [{ name: 'db' }])).toBe(failed);
  });
});
