import { neonConfig } from '@neondatabase/serverless';
import { afterEach, describe, expect, it } from 'vitest';
import { endpointKeyOf, routeFetchEndpoint } from '../../../../src/drivers/neon/neon-fetch-endpoint.js';

type EndpointFunction = (host: string, port: number | string, options?: { jwtAuth?: boolean }) => string;

function endpointFor(host: string, port: string): string {
  const endpoint = neonConfig.fetchEndpoint;
  return typeof endpoint === 'function' ? (endpoint as EndpointFunction)(host, port) : endpoint;
}

describe('routeFetchEndpoint', () => {
  const original = neonConfig.fetchEndpoint;
  afterEach(() => {
    neonConfig.fetchEndpoint = original;
  });

  it('keys endpoints by the host and port the Neon driver passes to fetchEndpoint', () => {
    expect(endpointKeyOf('postgresql://u:p@127.0.0.1:5433/db?sslmode=disable')).toBe('127.0.0.1:5433');
    expect(endpointKeyOf('postgres://u@ep-cool-1.eu-central-1.aws.neon.tech/db')).toBe(
      'ep-cool-1.eu-central-1.aws.neon.tech:',
    );
  });

  it('routes registered hosts and leaves every other host on the previous endpoint', () => {
    neonConfig.fetchEndpoint = (host) => `https://previous.example/${host}`;
    routeFetchEndpoint('postgresql://u@127.0.0.1:6001/db', 'http://127.0.0.1:9000/sql');
    routeFetchEndpoint('postgresql://u@127.0.0.1:6002/db', (host, port) => `http://${host}:${port}/custom`);

    expect(endpointFor('127.0.0.1', '6001')).toBe('http://127.0.0.1:9000/sql');
    expect(endpointFor('127.0.0.1', '6002')).toBe('http://127.0.0.1:6002/custom');
    expect(endpointFor('ep-other.neon.tech', '')).toBe('https://previous.example/ep-other.neon.tech');
  });

  it('keeps the default Neon endpoint for unregistered hosts', () => {
    routeFetchEndpoint('postgresql://u@127.0.0.1:6003/db', 'http://127.0.0.1:9001/sql');
    expect(endpointFor('ep-cool-1.eu-central-1.aws.neon.tech', '')).toBe(
      'https://api.eu-central-1.aws.neon.tech/sql',
    );
  });

  it('installs itself again when the application replaced neonConfig.fetchEndpoint', () => {
    routeFetchEndpoint('postgresql://u@127.0.0.1:6004/db', 'http://127.0.0.1:9002/sql');
    neonConfig.fetchEndpoint = 'https://replaced.example/sql';
    expect(endpointFor('127.0.0.1', '6004')).toBe('https://replaced.example/sql');
    routeFetchEndpoint('postgresql://u@127.0.0.1:6005/db', 'http://127.0.0.1:9003/sql');
    expect(endpointFor('127.0.0.1', '6004')).toBe('http://127.0.0.1:9002/sql');
    expect(endpointFor('somewhere.else', '')).toBe('https://replaced.example/sql');
  });
});
