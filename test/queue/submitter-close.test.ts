/**
 * The submitter closes every client it opens without leaving a rejection behind: a BullMQ client
 * closed while its connection still runs its version check used to reject a promise nobody awaited
 * ("Unhandled Rejection: Error: Connection is closed.", seen when an all-cached `extract --queue`
 * rerun ran on a loaded machine).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { submitAndCollect } from '../../core/queue/submitter.ts';
import { cleanupProcesses, haveRedis, RedisServer } from '../helpers/redis-server.ts';
import { startSlowLink } from '../helpers/slow-link.ts';

/** Every ordering of a fast, a slow and a middling connection: whichever client connects when, one of them is the slow one. */
const LATENCY_ORDERS = [[0, 100, 50], [0, 50, 100], [100, 0, 50], [100, 50, 0], [50, 0, 100], [50, 100, 0]];

describe.skipIf(!haveRedis())('submitAndCollect closing its clients', () => {
  afterEach(cleanupProcesses);

  it('leaves no unhandled rejection when there is nothing to submit, however late each connection\'s replies arrive', async () => {
    const redis = await RedisServer.start();
    const unhandled: unknown[] = [];
    const record = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', record);
    try {
      for (const latencies of LATENCY_ORDERS) {
        const link = await startSlowLink(redis.port, latencies);
        try {
          await submitAndCollect({ url: `redis://127.0.0.1:${link.port}/0`, jobs: [], attempts: 1, onOutcome: () => {} });
          await new Promise((r) => setTimeout(r, 400)); // the slowest handshake's replies arrive and its socket closes
        } finally {
          await link.close();
        }
      }
    } finally {
      process.off('unhandledRejection', record);
    }
    expect(unhandled.map(String)).toEqual([]);
  });
});
