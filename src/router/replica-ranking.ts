import type { RoutedNode } from './routed-node.js';

/**
 * Orders replicas for a read: fewest requests in flight from this isolate first, configuration order on ties.
 */
export function rankByLoad(replicas: readonly RoutedNode[]): RoutedNode[] {
  return [...replicas].sort((a, b) => a.state.inFlight - b.state.inFlight);
}
