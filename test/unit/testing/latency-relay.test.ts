import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEdgeDbError } from '../../../src/errors/edge-db-error.js';
import { findFreePort } from '../../../src/testing/network/find-free-port.js';
import { type LatencyRelay, startLatencyRelay } from '../../../src/testing/network/latency-relay.js';

let echo: Server;
let echoPort: number;
const relays: LatencyRelay[] = [];

beforeAll(async () => {
  // Echoes every byte; replies to "bye" by ending its side after echoing, to test half-close.
  echo = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('data', (data) => socket.write(data));
    socket.on('end', () => socket.end('<eof>'));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => echo.listen({ host: '127.0.0.1', port: 0 }, resolve));
  echoPort = (echo.address() as { port: number }).port;
});

afterAll(async () => {
  await Promise.all(relays.map((relay) => relay.close()));
  await new Promise((resolve) => echo.close(resolve));
});

async function relayTo(port: number, latencyMs = 0): Promise<LatencyRelay> {
  const relay = await startLatencyRelay({ targetHost: '127.0.0.1', targetPort: port, latencyMs });
  relays.push(relay);
  return relay;
}

function open(relay: LatencyRelay): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: relay.host, port: relay.port, allowHalfOpen: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Resolves with everything the socket received until it ended, or rejects on error / after `deadlineMs`. */
function readUntilEnd(socket: Socket, deadlineMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error('no end within deadline')), deadlineMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function readBytes(socket: Socket, count: number, deadlineMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const timer = setTimeout(
      () => reject(new Error(`only ${received} of ${count} bytes within deadline`)),
      deadlineMs,
    );
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= count) {
        clearTimeout(timer);
        socket.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** What happens on a socket within `ms`: data, end, an error code, or nothing. */
function observe(socket: Socket, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('nothing'), ms);
    const done = (what: string) => {
      clearTimeout(timer);
      resolve(what);
    };
    socket.once('data', (data: Buffer) => done(`data:${data.toString()}`));
    socket.once('end', () => done('end'));
    socket.once('error', (error: NodeJS.ErrnoException) => done(`error:${error.code}`));
  });
}

function connectError(relay: LatencyRelay): Promise<string> {
  return open(relay).then(
    (socket) => {
      socket.destroy();
      return 'connected';
    },
    (error: NodeJS.ErrnoException) => error.code ?? String(error),
  );
}

describe('startLatencyRelay', () => {
  it('relays bytes in order in both directions while the latency changes', async () => {
    const relay = await relayTo(echoPort, 3);
    const socket = await open(relay);
    const sent: Buffer[] = [];
    for (let i = 0; i < 300; i += 1) {
      const chunk = Buffer.from(`${i}:${'x'.repeat(i % 17)};`);
      sent.push(chunk);
      socket.write(chunk);
      // Lowering the delay mid-stream must not let later chunks overtake earlier ones.
      if (i % 25 === 0) relay.setLatency((i / 25) % 2 === 0 ? 0 : 30);
      // Yield so the relay reads this batch as its own chunk, under the current latency.
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    socket.end();
    const received = await readUntilEnd(socket);
    expect(received.toString()).toBe(`${Buffer.concat(sent).toString()}<eof>`);
  });

  it('relays large payloads intact', async () => {
    const relay = await relayTo(echoPort, 1);
    const socket = await open(relay);
    const payload = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < payload.length; i += 1) payload[i] = (i * 31 + (i >> 13)) & 0xff;
    socket.end(payload);
    const received = await readUntilEnd(socket, 30_000);
    expect(received.subarray(0, payload.length).equals(payload)).toBe(true);
    expect(received.subarray(payload.length).toString()).toBe('<eof>');
  });

  it('adds the delay in each direction (logged, not asserted)', async () => {
    const relay = await relayTo(echoPort, 20);
    const socket = await open(relay);
    const rtts: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const started = performance.now();
      socket.write('ping');
      expect((await readBytes(socket, 4)).toString()).toBe('ping');
      rtts.push(Math.round(performance.now() - started));
    }
    console.log(`latency relay: 20 ms each way, measured round trips ${rtts.join(', ')} ms`);
    socket.destroy();
  });

  it("mode 'down' refuses new connections and resets open ones; 'up' reopens the same port", async () => {
    const relay = await relayTo(echoPort);
    const socket = await open(relay);
    const seen = observe(socket, 5_000);
    relay.setMode('down');
    expect(relay.mode).toBe('down');
    expect(await seen).toBe('error:ECONNRESET');
    expect(await connectError(relay)).toBe('ECONNREFUSED');

    relay.setMode('up');
    const again = await open(relay);
    again.write('back');
    expect((await readBytes(again, 4)).toString()).toBe('back');
    again.destroy();
  });

  it("mode 'blackhole' accepts but never answers, then delivers held bytes when set back to 'up'", async () => {
    const relay = await relayTo(echoPort);
    const existing = await open(relay);
    relay.setMode('blackhole');
    const fresh = await open(relay);
    existing.write('old');
    fresh.write('new');
    const [existingSeen, freshSeen] = await Promise.all([observe(existing, 300), observe(fresh, 300)]);
    expect(existingSeen).toBe('nothing');
    expect(freshSeen).toBe('nothing');

    relay.setMode('up');
    expect((await readBytes(existing, 3)).toString()).toBe('old');
    expect((await readBytes(fresh, 3)).toString()).toBe('new');
    existing.destroy();
    fresh.destroy();
  });

  it('resets the client when the target refuses', async () => {
    const deadPort = await findFreePort();
    const relay = await relayTo(deadPort);
    const socket = await open(relay);
    expect(await observe(socket, 5_000)).toBe('error:ECONNRESET');
  });

  it('rejects bad latencies and modes with CONFIG_INVALID', async () => {
    const relay = await relayTo(echoPort);
    expect(() => relay.setLatency(-1)).toThrow(/latency must be a finite number/);
    expect(() => relay.setLatency(Number.NaN)).toThrowError(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() => relay.setMode('sideways' as never)).toThrow(/use 'up', 'down' or 'blackhole'/);
    await expect(
      startLatencyRelay({
        targetHost: '127.0.0.1',
        targetPort: echoPort,
        latencyMs: Number.POSITIVE_INFINITY,
      }),
    ).rejects.toSatisfy((error) => isEdgeDbError(error, 'CONFIG_INVALID'));
  });

  it('close() is idempotent and stops listening', async () => {
    const relay = await startLatencyRelay({ targetHost: '127.0.0.1', targetPort: echoPort });
    const socket = await open(relay);
    const seen = observe(socket, 5_000);
    await relay.close();
    await relay.close();
    expect(await seen).toMatch(/^(error:ECONNRESET|end)$/);
    expect(await connectError(relay)).toBe('ECONNREFUSED');
  });
});
