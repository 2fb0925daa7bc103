import { describe, expect, it } from 'vitest';
import type { Coordinates } from '../../../../src/drivers/region-spec.js';
import { lookupRegion } from '../../../../src/regions/region-table.js';
import type { HealthStatus } from '../../../../src/router/select/health/health-status.js';
import { LatencyTracker } from '../../../../src/router/select/health/latency-tracker.js';
import { type ReplicaCandidate, rankReplicas } from '../../../../src/router/select/rank-replicas.js';
import { seededRandom } from '../../../support/fake-clock.js';

const FRANKFURT = lookupRegion('fra')!;

interface Replica extends ReplicaCandidate {
  health: HealthStatus;
  estimatedLagMs?: number;
  knownPosition?: bigint;
}

function setup(regions: Record<string, string | Coordinates | undefined>) {
  const clock = { time: 0 };
  const replicas = Object.entries(regions).map(
    ([id, region]): Replica => ({
      id,
      ...(region === undefined
        ? {}
        : { coordinates: typeof region === 'string' ? lookupRegion(region)! : region }),
      latency: new LatencyTracker({ now: () => clock.time }),
      health: 'healthy',
    }),
  );
  const byId = (id: string) => replicas.find((replica) => replica.id === id)!;
  return { clock, replicas, byId };
}

const ids = (choices: { candidate: { id: string } }[]) => choices.map((choice) => choice.candidate.id);
const options = { caller: FRANKFURT, windowMs: 0, random: seededRandom(1) };

describe('rankReplicas ranking', () => {
  it('ranks by distance before anything is measured', () => {
    const { replicas } = setup({ sin: 'ap-southeast-1', iad: 'us-east-1', ams: 'ams' });
    const ranked = rankReplicas(replicas, options);
    expect(ids(ranked)).toEqual(['ams', 'iad', 'sin']);
    expect(ranked.map((choice) => choice.reason)).toEqual(['nearest', 'nearest', 'nearest']);
    expect(ranked[0]!.expectedRttMs).toBeLessThan(ranked[1]!.expectedRttMs!);
  });

  it('lets measurements override distance', () => {
    const { replicas, byId } = setup({ sin: 'ap-southeast-1', iad: 'us-east-1', ams: 'ams' });
    byId('iad').latency.record(3);
    byId('ams').latency.record(40);
    const ranked = rankReplicas(replicas, options);
    expect(ids(ranked)).toEqual(['iad', 'ams', 'sin']);
    expect(ranked.map((choice) => choice.reason)).toEqual(['measured', 'measured', 'nearest']);
  });

  it('returns the list order, unranked, without a caller location or measurements', () => {
    const { replicas } = setup({ a: undefined, b: 'ams', c: undefined });
    const ranked = rankReplicas(replicas, { windowMs: 0, random: seededRandom(2) });
    expect(ranked.map((choice) => choice.reason)).toContain('unranked');
    expect(ranked).toHaveLength(3);
  });

  it('skips ejected and probing replicas unless all of them are', () => {
    const { replicas, byId } = setup({ ams: 'ams', iad: 'us-east-1', sin: 'sin' });
    byId('ams').health = 'ejected';
    byId('iad').health = 'probing';
    expect(ids(rankReplicas(replicas, options))).toEqual(['sin']);
    byId('sin').health = 'ejected';
    const fallback = rankReplicas(replicas, options);
    expect(ids(fallback)).toEqual(['ams', 'iad', 'sin']);
    expect(fallback.every((choice) => choice.reason === 'fallback')).toBe(true);
  });

  it('marks a replica whose probe is due', () => {
    const { replicas, byId } = setup({ ams: 'ams', iad: 'us-east-1' });
    byId('ams').health = 'probe';
    expect(rankReplicas(replicas, options)[0]).toMatchObject({ candidate: { id: 'ams' }, reason: 'probe' });
  });

  it('drops replicas that lag more than maxStalenessMs, keeping unknown lag', () => {
    const { replicas, byId } = setup({ ams: 'ams', iad: 'us-east-1', sin: 'sin' });
    byId('ams').estimatedLagMs = 5_000;
    byId('iad').estimatedLagMs = 100;
    expect(ids(rankReplicas(replicas, { ...options, maxStalenessMs: 1_000 }))).toEqual(['iad', 'sin']);
    byId('iad').estimatedLagMs = 2_000;
    byId('sin').estimatedLagMs = 2_000;
    expect(rankReplicas(replicas, { ...options, maxStalenessMs: 1_000 })).toEqual([]);
  });

  it('prefers replicas known to have applied minPosition', () => {
    const { replicas, byId } = setup({ ams: 'ams', iad: 'us-east-1', sin: 'sin' });
    byId('ams').knownPosition = 10n;
    byId('sin').knownPosition = 20n;
    const ranked = rankReplicas(replicas, { ...options, minPosition: 15n });
    expect(ids(ranked)).toEqual(['sin', 'ams', 'iad']);
    expect(ranked[0]!.reason).toBe('caught-up');
    expect(ids(rankReplicas(replicas, options))).toEqual(['ams', 'iad', 'sin']);
  });
});

describe('rankReplicas load spreading', () => {
  function simulate(windowMs: number, rounds: number, seed: number) {
    const { clock, replicas, byId } = setup({ a: 'ams', b: 'ams', c: 'ams', far: 'us-east-1' });
    byId('a').latency.record(10);
    byId('b').latency.record(11);
    byId('c').latency.record(12);
    byId('far').latency.record(90);
    const random = seededRandom(seed);
    const firstPicks = new Map<string, number>();
    for (let i = 0; i < rounds; i++) {
      const [first] = rankReplicas(replicas, { caller: FRANKFURT, windowMs, random });
      firstPicks.set(first!.candidate.id, (firstPicks.get(first!.candidate.id) ?? 0) + 1);
      first!.candidate.latency.begin();
      clock.time += 10;
      first!.candidate.latency.end();
    }
    return firstPicks;
  }

  it('spreads first picks evenly over the replicas within the window', () => {
    const picks = simulate(5, 3_000, 7);
    for (const id of ['a', 'b', 'c']) {
      expect(picks.get(id)! / 3_000).toBeGreaterThan(0.28);
      expect(picks.get(id)! / 3_000).toBeLessThan(0.39);
    }
    expect(picks.get('far')).toBeUndefined();
  });

  it('sends everything to the best replica without a window', () => {
    const picks = simulate(0, 500, 7);
    expect(picks.get('a')).toBe(500);
  });

  it('avoids a replica with requests piling up in flight', () => {
    const { replicas, byId } = setup({ a: 'ams', b: 'ams', c: 'ams' });
    for (let i = 0; i < 5; i++) byId('a').latency.begin();
    const random = seededRandom(3);
    const firstPicks = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const ranked = rankReplicas(replicas, { caller: FRANKFURT, windowMs: 5, random });
      firstPicks.add(ranked[0]!.candidate.id);
      expect(ranked[0]!.reason).toBe('p2c');
      expect(ranked).toHaveLength(3);
    }
    expect([...firstPicks].sort()).toEqual(['b', 'c']);
  });
});

describe('exploration of replicas that cannot be located', () => {
  it('tries an unmeasured replica without region before a measured one, so a near replica is found', async () => {
    const { LatencyTracker } = await import('../../../../src/router/select/health/latency-tracker.js');
    const { rankReplicas } = await import('../../../../src/router/select/rank-replicas.js');
    const measured = new LatencyTracker({ now: () => 0 });
    measured.record(80);
    const fresh = new LatencyTracker({ now: () => 0 });
    const order = rankReplicas(
      [
        { id: 'far', latency: measured, health: 'healthy' as const },
        { id: 'near', latency: fresh, health: 'healthy' as const },
      ],
      { windowMs: 5, random: () => 0.5 },
    );
    expect(order.map((c) => c.candidate.id)).toEqual(['near', 'far']);
    fresh.record(4);
    const after = rankReplicas(
      [
        { id: 'far', latency: measured, health: 'healthy' as const },
        { id: 'near', latency: fresh, health: 'healthy' as const },
      ],
      { windowMs: 5, random: () => 0.5 },
    );
    expect(after.map((c) => c.candidate.id)).toEqual(['near', 'far']);
  });
});
