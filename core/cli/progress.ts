/** A one-line progress bar on stderr, drawn only when stderr is a TTY (nothing extra in pipes or CI logs). */
export class Progress {
  private done = 0;
  private failed = 0;
  private readonly start = performance.now();
  private readonly enabled: boolean;

  constructor(private readonly total: number, stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = !!stream.isTTY && total > 0;
    this.stream = stream;
  }
  private readonly stream: NodeJS.WriteStream;

  tick(ok: boolean): void {
    this.done++;
    if (!ok) this.failed++;
    if (!this.enabled) return;
    const width = 24;
    const filled = Math.round((this.done / this.total) * width);
    const secs = (performance.now() - this.start) / 1000;
    const rate = this.done / Math.max(secs, 1e-9);
    const eta = rate > 0 ? (this.total - this.done) / rate : 0;
    const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
    this.stream.write(`\r[${bar}] ${this.done}/${this.total} clips  ${rate.toFixed(2)} clips/s  eta ${eta.toFixed(0)}s${this.failed ? `  ${this.failed} failed` : ''}   `);
  }

  finish(): void {
    if (this.enabled) this.stream.write('\n');
  }
}
