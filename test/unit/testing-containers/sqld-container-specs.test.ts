import { describe, expect, it } from 'vitest';
import { isEdgeDbError } from '../../../src/errors/edge-db-error.js';
import { sqldContainerSpecs } from '../../../src/testing/containers/sqld-container-specs.js';
import { resolveSqldContainersOptions } from '../../../src/testing/containers/sqld-containers-options.js';
import {
  parseReplicationIndex,
  replicationIndexPipeline,
} from '../../../src/testing/containers/sqld-replication-index.js';

describe('sqldContainerSpecs', () => {
  it('configures a primary with gRPC and replicas pointing at it over the cluster network', () => {
    const { primary, replicas } = sqldContainerSpecs(resolveSqldContainersOptions({ replicas: 2 }));
    expect(primary.image).toBe('ghcr.io/tursodatabase/libsql-server:latest');
    expect(primary.environment).toEqual({
      SQLD_NODE: 'primary',
      SQLD_HTTP_LISTEN_ADDR: '0.0.0.0:8080',
      SQLD_GRPC_LISTEN_ADDR: '0.0.0.0:5001',
    });
    expect(primary.networkAlias).toBe('sqld-primary');
    expect(replicas.map((each) => each.name)).toEqual(['replica-1', 'replica-2']);
    for (const replica of replicas) {
      expect(replica.environment).toEqual({
        SQLD_NODE: 'replica',
        SQLD_HTTP_LISTEN_ADDR: '0.0.0.0:8080',
        SQLD_PRIMARY_URL: 'http://sqld-primary:5001',
      });
    }
    expect(new Set([primary, ...replicas].map((each) => each.networkAlias)).size).toBe(3);
  });

  it('publishes only the HTTP port and waits on /health of every node', () => {
    const { primary, replicas } = sqldContainerSpecs(
      resolveSqldContainersOptions({ replicas: 1, image: 'ghcr.io/tursodatabase/libsql-server:v0.24.32' }),
    );
    for (const spec of [primary, ...replicas]) {
      expect(spec.image).toBe('ghcr.io/tursodatabase/libsql-server:v0.24.32');
      expect(spec.exposedPorts).toEqual([8080]);
      expect(spec.clientPort).toBe(8080);
      expect(spec.readiness).toEqual({ kind: 'http', path: '/health', port: 8080 });
      // The image's entrypoint builds sqld's arguments from SQLD_*: it must not be replaced.
      expect(spec.entrypoint).toBeUndefined();
      expect(spec.command).toBeUndefined();
    }
  });

  it('builds no replica containers for replicas: 0', () => {
    expect(sqldContainerSpecs(resolveSqldContainersOptions({ replicas: 0 })).replicas).toEqual([]);
  });
});

describe('sqld replication index probe', () => {
  it('asks with one execute and closes the stream', () => {
    expect(replicationIndexPipeline()).toEqual({
      baton: null,
      requests: [{ type: 'execute', stmt: { sql: 'select 1', want_rows: false } }, { type: 'close' }],
    });
  });

  const ok = (result: Record<string, unknown>) => ({
    results: [
      { type: 'ok', response: { type: 'execute', result } },
      { type: 'ok', response: { type: 'close' } },
    ],
  });

  it('reads replication_index as a u64 string, without losing precision', () => {
    expect(parseReplicationIndex(ok({ replication_index: '18446744073709551615' }))).toBe(
      18446744073709551615n,
    );
    expect(parseReplicationIndex(ok({ replication_index: 12 }))).toBe(12n);
  });

  it('treats an absent or null index as 0 (a node that has written nothing)', () => {
    expect(parseReplicationIndex(ok({}))).toBe(0n);
    expect(parseReplicationIndex(ok({ replication_index: null }))).toBe(0n);
  });

  it('rejects error results and malformed indexes with UNSUPPORTED', () => {
    const bad = [
      { results: [{ type: 'error', error: { message: 'boom' } }] },
      {},
      null,
      ok({ replication_index: '-1' }),
      ok({ replication_index: 1.5 }),
    ];
    for (const body of bad) {
      let caught: unknown;
      try {
        parseReplicationIndex(body);
      } catch (error) {
        caught = error;
      }
      expect(isEdgeDbError(caught, 'UNSUPPORTED'), JSON.stringify(body)).toBe(true);
    }
  });
});
