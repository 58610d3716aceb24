/**
 * Entry point of the child process that owns the Dawn device (started by device-host.ts with
 * the Vulkan driver's environment). Receives command batches over IPC, runs them in order,
 * answers requests. A crash here ends only this process; the parent turns it into an error.
 */
import { DeviceExecutor } from './executor.ts';
import type { Batch, Reply } from './protocol.ts';

const send = (reply: Reply) => process.send?.(reply);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

let executor: DeviceExecutor | null = null;
try {
  executor = await DeviceExecutor.create(
    process.env.VISAGE_DAWN_OPTIONS ? { dawnOptions: process.env.VISAGE_DAWN_OPTIONS.split(' ') } : {});
} catch (e) {
  send({ k: 'error', message: `Dawn failed to start: ${message(e)}` });
  process.exit(3);
}
if (!executor) {
  send({ k: 'error', message: 'no WebGPU adapter (is a Vulkan driver installed? see scripts/vulkan/install-swiftshader.sh)' });
  process.exit(3);
}
const device = executor;

// Batches run strictly one after another, in arrival order.
let queue: Promise<void> = Promise.resolve();
process.on('message', (batch: Batch) => {
  queue = queue.then(async () => {
    try {
      const data = await device.run(batch);
      if (batch.request) send({ k: 'result', rid: batch.request.rid, data });
    } catch (e) {
      send({ k: 'error', rid: batch.request?.rid, message: message(e) });
    }
  });
});
process.on('disconnect', () => {
  device.destroy();
  process.exit(0);
});
send({ k: 'ready', info: device.info });
