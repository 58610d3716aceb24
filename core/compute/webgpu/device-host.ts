/**
 * Where the Dawn device lives, behind one small interface:
 * - `ChildProcessHost` (the default): a child process (device-process.ts) started with the
 *   Vulkan driver's environment. A crash of dawn.node or the driver (SIGSEGV, abort) or a hang
 *   ends or is killed with that process, and every pending and later call fails with a
 *   BACKEND_UNAVAILABLE VisageError instead of taking the run down.
 * - `InProcessHost`: the device in this process; no IPC cost, no isolation. The driver's
 *   libraries must then already be loadable (LD_LIBRARY_PATH is read at process start).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { errors } from '../../errors/index.ts';
import type { VulkanDriver } from './driver.ts';
import { DeviceExecutor } from './executor.ts';
import type { AdapterSummary, Batch, Reply } from './protocol.ts';

export interface DeviceHost {
  readonly info: AdapterSummary;
  /** The device process, when there is one. */
  readonly pid?: number;
  /** Sends commands that need no answer. */
  post(batch: Batch): void;
  /** Sends commands ending with a request; resolves with the read data (flush: undefined). */
  request(batch: Batch): Promise<ArrayBuffer | undefined>;
  close(): Promise<void>;
}

const unavailable = (detail: string) => errors.backendUnavailable('webgpu', detail);

export class InProcessHost implements DeviceHost {
  private queue: Promise<unknown> = Promise.resolve();
  private failure: Error | null = null;

  private constructor(private readonly executor: DeviceExecutor) {}

  static async start(driver: VulkanDriver): Promise<InProcessHost> {
    // The loader reads VK_ICD_FILENAMES when Dawn creates its instance, so this still works here.
    for (const [key, value] of Object.entries(driver.env)) if (key !== 'LD_LIBRARY_PATH') process.env[key] = value;
    const executor = await DeviceExecutor.create().catch((e: unknown) => {
      throw unavailable(`Dawn failed to start: ${e instanceof Error ? e.message : String(e)}`);
    });
    if (!executor) throw unavailable(`no WebGPU adapter with the ${driver.name} Vulkan driver`);
    return new InProcessHost(executor);
  }

  get info(): AdapterSummary {
    return this.executor.info;
  }

  post(batch: Batch): void {
    this.queue = this.queue.then(() => this.executor.run(batch)).catch((e: unknown) => {
      this.failure ??= e instanceof Error ? e : new Error(String(e));
    });
  }

  request(batch: Batch): Promise<ArrayBuffer | undefined> {
    const result = this.queue.then(() => {
      if (this.failure) throw this.failure;
      return this.executor.run(batch);
    });
    this.queue = result.catch(() => undefined);
    return result.catch((e: unknown) => {
      throw unavailable(e instanceof Error ? e.message : String(e));
    });
  }

  async close(): Promise<void> {
    await this.queue;
    this.executor.destroy();
  }
}

export interface ChildHostOptions {
  /** Longest wait for one request (a read or a flush) before the device is declared hung. */
  timeoutMs: number;
  /** Longest wait for the device process to report its adapter. */
  startTimeoutMs: number;
}

interface Pending {
  resolve(data: ArrayBuffer | undefined): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class ChildProcessHost implements DeviceHost {
  private readonly pending = new Map<number, Pending>();
  private nextRid = 1;
  /** Set once the process is gone or broken; every later call fails with it. */
  private dead: Error | null = null;
  private stderrTail = '';

  private constructor(private readonly child: ChildProcess, readonly info: AdapterSummary, private readonly options: ChildHostOptions) {
    child.on('message', (reply: Reply) => this.onReply(reply));
    // e.g. a send racing the process's death; the 'exit' handler reports the cause.
    child.on('error', (e) => this.fail(`IPC with the device process failed: ${e.message}`));
    child.on('exit', (code, signal) => {
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      this.fail(`the device process died (${how})${this.stderrSummary()}`);
    });
    this.idle();
  }

  /** Starts the device process; rejects with BACKEND_UNAVAILABLE when no adapter comes up. */
  static start(driver: VulkanDriver, options: ChildHostOptions): Promise<ChildProcessHost> {
    const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'device-process.ts');
    // The child runs TypeScript like the parent: through tsx's loader.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = fork(entry, [], {
      execArgv: ['--import', tsx],
      env: { ...process.env, ...driver.env },
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(unavailable(`the device process gave no adapter within ${options.startTimeoutMs} ms`));
      }, options.startTimeoutMs);
      const onExit = (code: number | null, signal: string | null) => {
        clearTimeout(timer);
        reject(unavailable(`the device process exited during start (${signal ?? `exit code ${code}`})${tail(stderr)}`));
      };
      child.once('exit', onExit);
      child.once('message', (reply: Reply) => {
        clearTimeout(timer);
        child.off('exit', onExit);
        if (reply.k === 'ready') {
          const host = new ChildProcessHost(child, reply.info, options);
          host.stderrTail = stderr;
          child.stderr?.on('data', (chunk: Buffer) => { host.stderrTail = (host.stderrTail + chunk.toString()).slice(-4000); });
          resolve(host);
        } else {
          child.kill('SIGKILL');
          reject(unavailable(reply.k === 'error' ? `${reply.message} (driver: ${driver.name})` : 'unexpected first message'));
        }
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  post(batch: Batch): void {
    if (this.dead) throw this.dead;
    this.child.send(batch);
  }

  request(batch: Batch): Promise<ArrayBuffer | undefined> {
    if (this.dead) return Promise.reject(this.dead);
    const rid = this.nextRid++;
    const request = batch.request ? { ...batch.request, rid } : { k: 'flush' as const, rid };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(`no answer from the device within ${this.options.timeoutMs} ms (hung), the process was killed`);
        this.child.kill('SIGKILL');
      }, this.options.timeoutMs);
      this.pending.set(rid, { resolve, reject, timer });
      this.busy();
      this.child.send({ cmds: batch.cmds, request });
    });
  }

  async close(): Promise<void> {
    if (this.dead) return;
    this.dead = unavailable('the backend was closed');
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  private onReply(reply: Reply): void {
    if (reply.k === 'ready') return;
    if (reply.rid === undefined) {
      // A failure in commands that had no request: the device state is unknown from here on.
      this.fail(reply.k === 'error' ? reply.message : 'unexpected reply from the device process');
      this.child.kill('SIGKILL');
      return;
    }
    const pending = this.pending.get(reply.rid);
    if (!pending) return;
    this.pending.delete(reply.rid);
    clearTimeout(pending.timer);
    if (this.pending.size === 0) this.idle();
    if (reply.k === 'result') pending.resolve(reply.data);
    else if (reply.k === 'error') pending.reject(unavailable(reply.message));
  }

  private fail(detail: string): void {
    if (!this.dead) this.dead = unavailable(detail);
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(this.dead);
    }
    this.pending.clear();
    this.idle();
  }

  // An idle device process must not keep the parent alive; one with work in flight must.
  private idle(): void {
    this.child.unref();
    (this.child.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  private busy(): void {
    this.child.ref();
    (this.child.channel as { ref?: () => void } | undefined)?.ref?.();
  }

  private stderrSummary(): string {
    return tail(this.stderrTail);
  }
}

/** The last meaningful lines a crashed process printed (e.g. "terminate called after ..."). */
function tail(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/XDG_RUNTIME_DIR/.test(l));
  return lines.length ? `: ${lines.slice(-3).join(' | ')}` : '';
}
