/**
 * How a latency relay treats traffic, to simulate the failures an edge function meets:
 *
 * - `'up'`: forwards every chunk after the configured delay (a healthy, possibly distant node).
 * - `'down'`: stops listening (new connections get `ECONNREFUSED`) and resets open connections
 *   (`ECONNRESET`), like a crashed node.
 * - `'blackhole'`: accepts connections but forwards and answers nothing, like a hung node or a network
 *   partition: clients must rely on their own timeouts. Nothing is dropped; when the relay is set back to
 *   `'up'`, held bytes flow again (a healed partition).
 *
 * ### Examples
 * ```ts
 * relay.setMode('blackhole')
 * await expect(client.query('select 1')).rejects.toThrow(/timeout/)
 * relay.setMode('up')
 * ```
 */
export type RelayMode = 'up' | 'down' | 'blackhole';
