import { describe, expect, it } from 'vitest';
import { ClusterRegistry } from '../../../../src/router/cluster/cluster-registry.js';

const now = () => 0;

describe('cluster registry recency', () => {
  it('returns the same state to every instance of the most recent cluster', () => {
    const registry = new ClusterRegistry(2);
    const a = registry.clusterFor('a', 'a', undefined, now);
    expect(registry.clusterFor('a', 'a', undefined, now)).toBe(a);
    expect(registry.clusterFor(['a'].join(''), 'a', undefined, now)).toBe(a);
  });

  it('forgets the least recently used cluster, counting a repeated use of the latest one', () => {
    const registry = new ClusterRegistry(2);
    const a = registry.clusterFor('a', 'a', undefined, now);
    const b = registry.clusterFor('b', 'b', undefined, now);
    expect(registry.clusterFor('a', 'a', undefined, now)).toBe(a); // a is now the most recent
    registry.clusterFor('c', 'c', undefined, now); // b goes
    expect(registry.clusterFor('a', 'a', undefined, now)).toBe(a);
    expect(registry.clusterFor('b', 'b', undefined, now)).not.toBe(b);
    expect(registry.size).toBe(2);
  });

  it('makes a new state for the latest cluster once it was forgotten or evicted', () => {
    const registry = new ClusterRegistry(2);
    const a = registry.clusterFor('a', 'a', undefined, now);
    registry.forget('a');
    const again = registry.clusterFor('a', 'a', undefined, now);
    expect(again).not.toBe(a);
    registry.forget();
    expect(registry.clusterFor('a', 'a', undefined, now)).not.toBe(again);
    registry.clusterFor('b', 'b', undefined, now);
    const latest = registry.clusterFor('c', 'c', undefined, now);
    registry.setMaxClusters(1);
    expect(registry.clusterFor('c', 'c', undefined, now)).toBe(latest);
    expect(registry.size).toBe(1);
  });

  it('accepts equal health options given as another object, and names the options on a disagreement', () => {
    const registry = new ClusterRegistry();
    const health = { consecutiveFailures: 3, baseEjectionMs: 5000, maxEjectionMs: 120_000 };
    const a = registry.clusterFor('h', 'h', health, now);
    expect(registry.clusterFor('h', 'h', { ...health }, now)).toBe(a);
    expect(() => registry.clusterFor('h', 'h', { ...health, maxEjectedShare: 0.5 }, now)).toThrow(
      /"consecutiveFailures":3/,
    );
    expect(() => registry.clusterFor('h', 'h', undefined, now)).toThrow(/health/);
    const plain = registry.clusterFor('p', 'p', undefined, now);
    expect(registry.clusterFor('p', 'p', undefined, now)).toBe(plain);
    expect(() => registry.clusterFor('p', 'p', health, now)).toThrow(/\(\{\}\)/);
  });
});
