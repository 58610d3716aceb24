/** Turns `--queue redis://[USER:PASS@]HOST:PORT/DB` into BullMQ connection options. */
import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { queueUnreachable, queueUrlInvalid } from '../errors/messages.ts';
import { redactUrl } from './redact-url.ts';

/** One queue for all clip jobs: job ids already separate presets and clips. */
export const QUEUE_NAME = 'visage-clips';

export interface QueueTarget {
  connection: ConnectionOptions;
  /** The URL with credentials hidden: the only form that is ever printed. */
  shown: string;
}

export function queueTarget(url: string): QueueTarget {
  const shown = redactUrl(url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw queueUrlInvalid(shown, 'not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw queueUrlInvalid(shown, `scheme ${u.protocol} is not redis: or rediss:`);
  const dbText = u.pathname.replace(/^\//, '') || '0';
  const db = Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw queueUrlInvalid(shown, `database "${dbText}" is not a number`);
  return {
    shown,
    connection: {
      host: u.hostname || '127.0.0.1',
      port: u.port ? Number(u.port) : 6379,
      db,
      ...(u.username && { username: decodeURIComponent(u.username) }),
      ...(u.password && { password: decodeURIComponent(u.password) }),
      ...(u.protocol === 'rediss:' && { tls: {} }),
      // Commands wait for a reconnect instead of failing: a Redis restart must lose nothing.
      maxRetriesPerRequest: null,
      retryStrategy: (times: number) => Math.min(200 * times, 2000),
    },
  };
}

/**
 * One PING before any BullMQ client exists: a refused password or an unreachable server fails now
 * (QUEUE_UNREACHABLE, with the redacted URL) instead of being retried forever. Later outages are
 * retried: the clients reconnect on their own.
 */
export async function checkReachable(target: QueueTarget, ms = 10_000): Promise<void> {
  const client = new Redis({ ...(target.connection as RedisOptions), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: ms });
  let lastError: Error | undefined;
  client.on('error', (e: Error) => (lastError = e));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    throw queueUnreachable(target.shown, (lastError ?? (e as Error)).message);
  } finally {
    client.disconnect();
  }
}
