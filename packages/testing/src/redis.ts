/**
 * The Redis server the channel store tests use (127.0.0.1:6379), checked with a `PING` over a plain
 * socket (no driver needed), and a key prefix per test run.
 */
import { createConnection } from 'node:net';

const URL = 'redis://127.0.0.1:6379';
let found: Promise<string> | undefined;

/**
 * `redis://127.0.0.1:6379` once it answers `PING`, or a rejection "Redis not reachable at …".
 *
 * @example const url = await testRedisUrl()
 */
export function testRedisUrl(): Promise<string> {
  found ??= ping().then(() => URL);
  return found;
}

/**
 * A key prefix no other test run uses (delete its keys after: `SCAN MATCH <prefix>*`).
 *
 * @example freshKeyPrefix('channels') // 'test:channels:1732255201234:48213:1234:'
 */
export function freshKeyPrefix(name: string): string {
  return `test:${name}:${Date.now()}:${process.pid}:${Math.floor(Math.random() * 1e6)}:`;
}

function ping(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port: 6379 });
    const fail = (why: string) => {
      socket.destroy();
      reject(
        new Error(
          `Redis not reachable at 127.0.0.1:6379 (${why}); start it with: redis-server --daemonize yes`,
        ),
      );
    };
    socket.setTimeout(2000, () => fail('no answer within 2 s'));
    socket.on('error', (error) => fail(error.message));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      socket.end();
      if (data.toString().startsWith('+PONG')) resolve();
      else fail(`answered ${JSON.stringify(data.toString().trim())}`);
    });
  });
}
