/**
 * A one-line progress bar on stderr, drawn only when stderr is a TTY (nothing extra in pipes or CI
 * logs). It counts every input, those that failed to resolve too, redraws itself while a slow clip
 * runs (a spinner and that clip's time so far), and steps aside while a row is printed to the same
 * terminal so rows never garble it.
 */
const SPINNER = '|/-\\';

export class Progress {
  private done = 0;
  private failed = 0;
  private frame = 0;
  private readonly start = performance.now();
  private readonly running = new Map<string, number>();
  private readonly enabled: boolean;
  private timer?: NodeJS.Timeout;
  private drawn = false;

  constructor(private readonly total: number, private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = !!stream.isTTY && total > 0;
    if (this.enabled) {
      this.timer = setInterval(() => this.draw(), 250);
      this.timer.unref();
    }
  }

  clipStarted(id: string): void {
    this.running.set(id, performance.now());
  }

  tick(ok: boolean, id?: string): void {
    this.done++;
    if (!ok) this.failed++;
    if (id !== undefined) this.running.delete(id);
    this.draw();
  }

  /** Erases the bar (before something else is printed on the terminal). */
  clear(): void {
    if (this.enabled && this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  draw(): void {
    if (!this.enabled) return;
    const width = 24;
    const filled = Math.round((this.done / this.total) * width);
    const secs = (performance.now() - this.start) / 1000;
    const rate = this.done / Math.max(secs, 1e-9);
    const eta = rate > 0 ? (this.total - this.done) / rate : 0;
    const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
    const spin = this.done < this.total ? SPINNER[this.frame++ % SPINNER.length] + ' ' : '';
    let slowest = '';
    for (const [id, t0] of this.running) {
      const s = (performance.now() - t0) / 1000;
      if (s >= 2 && (!slowest || s > Number(/([\d.]+)s$/.exec(slowest)![1]))) slowest = `  running ${id} for ${s.toFixed(1)}s`;
    }
    this.stream.write(`\r\x1b[K${spin}[${bar}] ${this.done}/${this.total} clips  ${rate.toFixed(2)} clips/s  eta ${eta.toFixed(0)}s${this.failed ? `  ${this.failed} failed` : ''}${slowest}`);
    this.drawn = true;
  }

  finish(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.enabled && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
