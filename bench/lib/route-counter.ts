import type { RouteEvent } from '../../src/index.js';

/**
 * Counts where edge-db's reads went, from `onRoute` events: by role (`replica`, `primary`, `cache`) and by
 * `node/reason`. Only reads count (the SQL starts with `select`); `enabled` is switched off during warm-ups.
 */
export class RouteCounter {
  readonly byRole = new Map<string, number>();
  readonly byReason = new Map<string, number>();
  enabled = true;

  /** Pass as `onRoute`. */
  readonly onRoute = (event: RouteEvent): void => {
    if (!this.enabled || !isRead(event.sql)) return;
    this.byRole.set(event.role, (this.byRole.get(event.role) ?? 0) + 1);
    const key = `${event.node}/${event.reason}`;
    this.byReason.set(key, (this.byReason.get(key) ?? 0) + 1);
  };

  /** Reads counted. */
  get reads(): number {
    let total = 0;
    for (const count of this.byRole.values()) total += count;
    return total;
  }

  /** Share (0..1) of counted reads served by `role`; 0 when nothing was counted. */
  share(role: string): number {
    const total = this.reads;
    return total === 0 ? 0 : (this.byRole.get(role) ?? 0) / total;
  }

  /** `replica-near/checked 40, primary/after-write 2`. */
  describe(): string {
    return [...this.byReason].map(([key, count]) => `${key} ${count}`).join(', ') || 'none';
  }
}

function isRead(sql: string): boolean {
  return /^\s*(\(\s*)*(select|with)\b/i.test(sql);
}
