import { PostgresAdapter, PostgresQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import { NeonDialect, NeonReplicationAdapter, neon } from '../../../../src/drivers/neon/index.js';
import { isEdgeDbError } from '../../../../src/errors/edge-db-error.js';

const url = 'postgresql://user:pw@ep-cool-1.eu-central-1.aws.neon.tech/app';

describe('neon()', () => {
  it('builds a backend with a Neon dialect and a postgres replication adapter, without I/O', () => {
    const backend = neon({ url, name: 'primary', region: 'aws-eu-central-1' });
    expect(backend.dialect).toBeInstanceOf(NeonDialect);
    expect(backend.replication).toBeInstanceOf(NeonReplicationAdapter);
    expect(backend.replication.family).toBe('postgres');
    expect(backend.name).toBe('primary');
    expect(backend.region).toBe('aws-eu-central-1');
    expect(backend.dialect.createAdapter()).toBeInstanceOf(PostgresAdapter);
    expect(backend.dialect.createQueryCompiler()).toBeInstanceOf(PostgresQueryCompiler);
  });

  it('leaves name and region out when not given', () => {
    const backend = neon({ url });
    expect('name' in backend).toBe(false);
    expect('region' in backend).toBe(false);
  });

  it.each([
    [{ url: 'mysql://x@y/z' }, /PostgreSQL connection string/],
    [{ url: '' }, /PostgreSQL connection string/],
    [{ url, requestTimeoutMs: 0 }, /requestTimeoutMs must be a positive number/],
    [{ url, connectTimeoutMs: Number.NaN }, /connectTimeoutMs must be a positive number/],
    [{ url, pipelineConnect: 'always' as unknown as false }, /pipelineConnect must be 'password' or false/],
  ])('rejects %j with CONFIG_INVALID', (options, message) => {
    let caught: unknown;
    try {
      neon(options);
    } catch (error) {
      caught = error;
    }
    expect(isEdgeDbError(caught, 'CONFIG_INVALID')).toBe(true);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).toMatch(/^edge-db: /);
  });
});
