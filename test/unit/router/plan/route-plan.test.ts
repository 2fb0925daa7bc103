import { CompiledQuery } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { ReplicationAdapter } from '../../../../src/consistency/replication-adapter.js';
import { ConsistencySession } from '../../../../src/consistency/session.js';
import { newNodeState } from '../../../../src/router/cluster/node-state.js';
import { type PlanInput, planRoute } from '../../../../src/router/plan/route-plan.js';
import type { RoutedNode } from '../../../../src/router/routed-node.js';
import { classifyQuery } from '../../../../src/sql/classify-query.js';

const probing: ReplicationAdapter = {
  family: 'postgres',
  checksTransactions: true,
  readPosition: async () => 1n,
};
const piggyback: ReplicationAdapter = {
  ...probing,
  executeWithPosition: async () => ({ result: { rows: [] }, position: 1n }),
};
const noTransactions: ReplicationAdapter = { family: 'postgres', readPosition: async () => 1n };

function node(
  name: string,
  role: 'primary' | 'replica',
  adapter: ReplicationAdapter,
  rttMs?: number,
): RoutedNode {
  return {
    name,
    key: name,
    role,
    adapter,
    backend: { name } as RoutedNode['backend'],
    driver: {} as RoutedNode['driver'],
    state: newNodeState(() => 0),
    coordinates: undefined,
    ...({ rttMs } as object),
  };
}

function input(replicas: RoutedNode[], session: ConsistencySession, primaryRttMs?: number): PlanInput {
  const primary = node('primary', 'primary', piggyback, primaryRttMs);
  const all = [primary, ...replicas];
  return {
    queryClass: classifyQuery(CompiledQuery.raw('select 1')),
    hint: undefined,
    primary,
    rankedReplicas: replicas,
    readPreference: 'replicaPreferred',
    consistency: 'session',
    session,
    now: 1_000,
    stickyAfterWriteMs: 0,
    maxReplicaAttempts: 3,
    nodesByName: new Map(all.map((n) => [n.name, n])),
    rtt: { expectedRttMs: (n) => (n as unknown as { rttMs?: number }).rttMs },
  };
}

const route = (plan: ReturnType<typeof planRoute>) =>
  plan.attempts.map((a) => `${a.node.name}:${a.reason}:${a.check}`);

describe('planRoute with writes known by transaction id', () => {
  it('sends the session to replicas that check the ids, never trusting a known position for them', () => {
    const session = new ConsistencySession();
    session.noteWrite(undefined, 0, 77n);
    const near = node('near', 'replica', piggyback);
    // Known to be far ahead: that says nothing about whether transaction 77 is committed there.
    near.state.knownPosition = 10n ** 12n;
    near.state.knownAt = 1_000;
    const other = node('other', 'replica', probing);
    const blind = node('blind', 'replica', noTransactions);
    const plan = planRoute(input([near, blind, other], session));
    expect(route(plan)).toEqual(['near:checked:piggyback', 'other:fallback:probe', 'primary:fallback:none']);
    expect(plan.requiredTransactions).toEqual([77n]);
  });

  it('goes to the primary to learn a position once the ids overflow the bound', () => {
    const session = new ConsistencySession();
    for (let i = 1n; i <= 9n; i++) session.noteWrite(undefined, 0, i);
    expect(session.positionPending).toBe(true);
    const plan = planRoute(input([node('near', 'replica', piggyback)], session));
    expect(route(plan)).toEqual(['primary:after-write:none']);
  });

  it('a position learnt after the writes settles them', () => {
    const session = new ConsistencySession();
    session.noteWrite(undefined, 0, 5n);
    session.resolvePending(100n, session.writeEpoch);
    expect(session.pendingTransactions).toEqual([]);
    expect(
      planRoute(input([node('near', 'replica', piggyback)], session)).requiredTransactions,
    ).toBeUndefined();
  });
});

describe('planRoute: a further replica must beat the primary', () => {
  it('skips a fallback replica whose check costs more than the primary round trip, keeps the first', () => {
    const session = new ConsistencySession(50n);
    const near = node('near', 'replica', probing, 4);
    const far = node('far', 'replica', probing, 40); // two round trips, at even odds: 160 ms > 140 ms
    const plan = planRoute(input([near, far], session, 140));
    expect(route(plan)).toEqual(['near:checked:probe', 'primary:fallback:none']);
    // A piggy-backed check is one round trip: 2 x 40 ms beats the primary...
    const farPiggyback = node('far', 'replica', piggyback, 40);
    expect(route(planRoute(input([near, farPiggyback], session, 140)))).toEqual([
      'near:checked:probe',
      'far:fallback:piggyback',
      'primary:fallback:none',
    ]);
    // ...2 x 80 ms does not: the primary has the write for sure, the far replica at even odds.
    const fartherPiggyback = node('far', 'replica', piggyback, 80);
    expect(route(planRoute(input([near, fartherPiggyback], session, 140)))).toEqual([
      'near:checked:probe',
      'primary:fallback:none',
    ]);
  });

  it('keeps every replica when round trips are unmeasured or within noise', () => {
    const session = new ConsistencySession(50n);
    const near = node('near', 'replica', probing, 1);
    const second = node('second', 'replica', probing, 1.2); // 2.4 ms vs 1 ms: within 5 ms
    expect(route(planRoute(input([near, second], session, 1)))).toHaveLength(3);
    const unmeasured = node('unmeasured', 'replica', probing);
    expect(route(planRoute(input([near, unmeasured], session, 140)))).toHaveLength(3);
  });
});
