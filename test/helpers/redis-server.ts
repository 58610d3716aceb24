/**
 * A real redis-server for the queue tests, on a random loopback port, with append-only persistence
 * in a temporary folder so it can be restarted mid-batch without losing jobs. Every server and
 * child process started here is killed by `cleanupProcesses()` (call it in afterEach), also when
 * a test fails.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './shared-data.ts';

const live = new Set<ChildProcess>();

/** True when redis-server is installed; under CI (CI=true) its absence is an error, not a skip. */
export function haveRedis(): boolean {
  const ok = spawnSync('redis-server', ['--version']).status === 0;
  if (!ok && process.env.CI === 'true') throw new Error('redis-server is missing (required in CI): scripts/install.sh installs it');
  return ok;
}

export class RedisServer {
  private child!: ChildProcess;
  private constructor(readonly port: number, readonly dir: string, private readonly extra: string[]) {}

  static async start(extra: string[] = []): Promise<RedisServer> {
    const s = new RedisServer(await freePort(), mkdtempSync(path.join(os.tmpdir(), 'visage-redis-')), extra);
    await s.launch();
    return s;
  }

  url(db = 0, auth = ''): string {
    return `redis://${auth ? auth + '@' : ''}127.0.0.1:${this.port}/${db}`;
  }

  /** Stops the server cleanly (SIGTERM: the append-only file is complete) and waits for its exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
    live.delete(this.child);
  }

  async restart(downMs = 500): Promise<void> {
    await this.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.launch();
  }

  private async launch(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '',
      '--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction', ...this.extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.child);
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${log}`)), 10_000);
      this.child.stdout!.on('data', (d) => {
        log += d;
        if (/Ready to accept connections/.test(log)) {
          clearTimeout(timer);
          resolve();
        }
      });
      this.child.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${log}`)));
    });
  }
}

/** A `node bin/visage.js ...` child with its output collected. */
export interface VisageChild {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

export function spawnVisage(args: string[]): VisageChild {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/visage.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '', err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    live.delete(child);
    resolve(code);
  }));
  return { child, out: () => out, err: () => err, exited };
}

/** Polls until `cond` holds; throws with `what` after `ms`. */
export async function waitFor(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Kills every redis-server and visage child still running (SIGKILL). */
export async function cleanupProcesses(): Promise<void> {
  const waits = [...live].map((c) => new Promise((r) => {
    if (c.exitCode !== null || c.signalCode !== null) return r(undefined);
    c.once('exit', r);
    c.kill('SIGKILL');
  }));
  live.clear();
  await Promise.all(waits);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    }).on('error', reject);
  });
}
