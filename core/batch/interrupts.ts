/**
 * Ctrl-C, twice. The first SIGINT/SIGTERM/SIGHUP stops the batch gracefully: nothing new starts,
 * clips in flight are aborted, every input still gets a row and the summary is printed. A second
 * signal ends the process at once, after printing the summary line, whatever plugin code is doing.
 */
import { writeSync } from 'node:fs';
import { constants } from 'node:os';
import { hostExit } from './process-guards.ts';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export class Interrupts {
  private readonly controller = new AbortController();
  private received = 0;
  private readonly handler = (sig: NodeJS.Signals) => this.onSignal(sig);
  private keepAlive?: NodeJS.Timeout;

  /** `summary` is printed on a forced exit; `notice` tells the user a second signal quits now. */
  constructor(private readonly summary: () => string) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Also holds the event loop open: a plugin promise that never settles holds no handle, and Node
   * would otherwise exit silently (code 13) with rows unwritten instead of waiting for the time
   * limit or the user's Ctrl-C.
   */
  install(): this {
    for (const s of SIGNALS) process.on(s, this.handler);
    this.keepAlive = setInterval(() => {}, 1 << 30);
    return this;
  }

  uninstall(): void {
    for (const s of SIGNALS) process.off(s, this.handler);
    clearInterval(this.keepAlive);
  }

  private onSignal(sig: NodeJS.Signals): void {
    this.received++;
    if (this.received === 1) {
      stderr(`visage: ${sig}: stopping (clips in flight are aborted, the rest get SKIPPED rows); send it again to quit at once\n`);
      this.controller.abort(new Error(`interrupted by ${sig}`));
      return;
    }
    stderr(`visage: ${sig} again: quitting now. ${this.summary()}\n`);
    hostExit(128 + (constants.signals[sig] ?? 2));
  }
}

/** Synchronous, so the line is out before a forced exit. */
function stderr(text: string): void {
  try {
    writeSync(2, text);
  } catch {
    // stderr gone: nothing left to tell
  }
}
