import { describe, expect, it } from 'vitest';
import { neonLocalProxySettings } from '../../../src/drivers/neon/index.js';
import { EdgeDbError } from '../../../src/errors/edge-db-error.js';

const node = 'postgres://postgres@127.0.0.1:6543/postgres';

describe('neonLocalProxySettings', () => {
  it('points both transports of the Neon driver at an http proxy, plain ws and no pipelined connect', () => {
    const settings = neonLocalProxySettings('http://127.0.0.1:8123', node);
    expect({ ...settings, wsProxy: settings.wsProxy('127.0.0.1', 6543) }).toEqual({
      url: node,
      fetchEndpoint: 'http://127.0.0.1:8123/sql',
      wsProxy: '127.0.0.1:8123/v1?address=127.0.0.1:6543',
      useSecureWebSocket: false,
      pipelineConnect: false,
      forceDisablePgSSL: true,
    });
  });

  it('keeps a path prefix and uses wss for an https proxy', () => {
    const settings = neonLocalProxySettings(new URL('https://dev.example:8443/neon/'), node);
    expect(settings.fetchEndpoint).toBe('https://dev.example:8443/neon/sql');
    expect(settings.wsProxy('db', 5432)).toBe('dev.example:8443/neon/v1?address=db:5432');
    expect(settings.useSecureWebSocket).toBe(true);
  });

  it.each(['127.0.0.1:8123', 'ftp://127.0.0.1:8123', 'ws://127.0.0.1:8123', '', 'http://'])(
    'refuses %j with CONFIG_INVALID',
    (proxyUrl) => {
      const error = (() => {
        try {
          neonLocalProxySettings(proxyUrl, node);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(EdgeDbError);
      expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    },
  );
});
