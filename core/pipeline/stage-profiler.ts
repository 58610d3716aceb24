/**
 * Timing of every provider call, collected by tapable interceptors (webpack's ProfilingPlugin idea):
 * `register` wraps each tap's function, including taps made before the interceptor was added.
 * Feeds `--profile` (a table per stage and plugin) and `--trace FILE` (Chrome trace-event JSON,
 * viewable in chrome://tracing or Perfetto).
 */
import type { StageName } from './stages.ts';

export interface StageSpan {
  stage: StageName;
  /** Provider id `publisher.name/id`. */
  provider: string;
  plugin: string;
  clipId?: string;
  /** ms since the profiler started (performance.now based). */
  start: number;
  duration: number;
  ok: boolean;
}

interface InterceptableHook {
  intercept(interceptor: { register?: (tap: any) => any }): void;
}

export class StageProfiler {
  readonly spans: StageSpan[] = [];
  private readonly t0 = performance.now();

  attach(stage: StageName, provider: string, hook: InterceptableHook): void {
    hook.intercept({
      register: (tap) => {
        const fn = tap.fn as (...args: any[]) => Promise<unknown>;
        // Return the whole tap: dropping fields such as `stage` would reorder taps (webpack PR #15379).
        return {
          ...tap,
          fn: (...args: any[]) => {
            const start = performance.now();
            const clipId = (args[1] as { clipId?: string } | undefined)?.clipId;
            const done = (ok: boolean) => this.spans.push({ stage, provider, plugin: tap.name, clipId, start: start - this.t0, duration: performance.now() - start, ok });
            return fn(...args).then(
              (v) => (done(true), v),
              (e) => {
                done(false);
                throw e;
              },
            );
          },
        };
      },
    });
  }

  /** Rows of total/mean/median ms per stage and provider, in stage order. */
  summary(): { stage: StageName; provider: string; calls: number; totalMs: number; meanMs: number; medianMs: number }[] {
    const groups = new Map<string, StageSpan[]>();
    for (const s of this.spans) {
      const key = `${s.stage}\u0000${s.provider}`;
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(s);
    }
    const order = ['ingest', 'levels', 'prompts', 'fusion', 'decide'];
    return [...groups.values()]
      .map((g) => {
        const d = g.map((s) => s.duration).sort((a, b) => a - b);
        const total = d.reduce((a, b) => a + b, 0);
        return { stage: g[0].stage, provider: g[0].provider, calls: d.length, totalMs: total, meanMs: total / d.length, medianMs: d[Math.floor((d.length - 1) / 2)] };
      })
      .sort((a, b) => order.indexOf(a.stage) - order.indexOf(b.stage) || a.provider.localeCompare(b.provider));
  }

  formatTable(): string {
    const rows = this.summary();
    const header = ['stage', 'provider', 'calls', 'total ms', 'mean ms', 'median ms'];
    const body = rows.map((r) => [r.stage, r.provider, String(r.calls), r.totalMs.toFixed(1), r.meanMs.toFixed(1), r.medianMs.toFixed(1)]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
  }

  /** Chrome trace-event format: complete events ('X'), one thread per plugin. */
  chromeTrace(): { traceEvents: object[] } {
    const tids = new Map<string, number>();
    const tid = (plugin: string) => tids.get(plugin) ?? tids.set(plugin, tids.size + 1).get(plugin)!;
    const events: object[] = this.spans.map((s) => ({
      name: s.provider, cat: s.stage, ph: 'X', pid: 1, tid: tid(s.plugin),
      ts: Math.round(s.start * 1000), dur: Math.max(1, Math.round(s.duration * 1000)),
      args: { clip: s.clipId, ok: s.ok },
    }));
    for (const [plugin, id] of tids) events.push({ name: 'thread_name', ph: 'M', pid: 1, tid: id, args: { name: plugin } });
    return { traceEvents: events };
  }
}
