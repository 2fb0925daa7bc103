import { afterEach, describe, expect, it } from 'vitest';
import { consistencyToken, resetClusterState, sessionInfo } from '../../../../src/index.js';
import { recordedRouter } from '../../../support/recorded-router.js';
import { fakeCluster } from '../../../support/recording-dialect.js';

// A session that read from a replica at an unknown position mints its token by asking that replica. A replica
// that answers no position (a node that was never a standby: PostgreSQL's replay position is NULL there) left
// the token without the read, so the next request could read older rows elsewhere.

interface DB {
  t: { id: number; v: string };
}

afterEach(() => resetClusterState());

describe('a token after a read from a replica that tells no position', () => {
  it('asks the primary, which is at or past the replica', async () => {
    const fake = fakeCluster(1, { replication: 'probe' });
    fake.cluster.primaryPosition = 40n;
    const replica = fake.cluster.node('replica-0');
    replica.rows = [{ v: 'a' }];
    replica.position = undefined as unknown as bigint;
    const { db, events } = recordedRouter<DB>(fake, 'token-no-position');
    await db.selectFrom('t').selectAll().execute();
    expect(events.at(-1)?.node).toBe('replica-0');
    expect(await consistencyToken(db)).toBeDefined();
    expect((await sessionInfo(db)).requiredPosition).toBe('40');
  });
});
