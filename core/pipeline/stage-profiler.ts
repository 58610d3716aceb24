/**
 * Timing of every provider call and of each clip's stages. `Pipeline.invoke` is the only place
 * provider code is called, so it times each call here once: as a span (for `--profile`, a table per
 * stage and plugin, and `--trace FILE`, Chrome trace-event JSON for chrome://tracing or Perfetto)
 * and as the clip's timing that goes into its row. Every pipeline has one; it keeps spans only when
 * asked, so a long batch without --profile does not grow it.
 */
import { STAGE_NAMES, type StageName } from './stages.ts';

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

/** A clip's wall time per stage key (`ingest`, `prompts`, `levels`, `levels.<slot>`, `fusion`, `decide`), ms. */
export type ClipTimings = Record<string, number>;

export class StageProfiler {
  readonly spans: StageSpan[] = [];
  private readonly t0 = performance.now();
  private readonly keepSpans: boolean;

  /** `keepSpans: false`: only the clips' own timings are filled (the pipeline's default profiler). */
  constructor(opts: { keepSpans?: boolean } = {}) {
    this.keepSpans = opts.keepSpans ?? true;
  }

  /** Times one provider call: a span, and (when given) the clip's timing under `key`. Failed calls count too. */
  async call<T>(span: Pick<StageSpan, 'stage' | 'provider' | 'plugin' | 'clipId'>, timings: ClipTimings | undefined, key: string, f: () => Promise<T>): Promise<T> {
    const start = performance.now();
    let ok = false;
    try {
      const out = await f();
      ok = true;
      return out;
    } finally {
      const duration = performance.now() - start;
      // Not `{ ...span, start, ... }`: in Node 20's V8 that makes a new hidden class per span.
      if (this.keepSpans) this.spans.push(Object.assign({}, span, { start: start - this.t0, duration, ok }));
      if (timings) timings[key] = round(duration);
    }
  }

  /** Times a part of a clip's run that is not one provider call: the levels as a whole, a cache lookup, the wait for prompts. */
  async phase<T>(timings: ClipTimings, key: string, f: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await f();
    } finally {
      timings[key] = round(performance.now() - start);
    }
  }

  /** Rows of total/mean/median ms per stage and provider, in run order. */
  summary(): { stage: StageName; provider: string; calls: number; totalMs: number; meanMs: number; medianMs: number }[] {
    const groups = new Map<string, StageSpan[]>();
    for (const s of this.spans) {
      const key = `${s.stage}\u0000${s.provider}`;
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(s);
    }
    return [...groups.values()]
      .map((g) => {
        const d = g.map((s) => s.duration).sort((a, b) => a - b);
        const total = d.reduce((a, b) => a + b, 0);
        return { stage: g[0].stage, provider: g[0].provider, calls: d.length, totalMs: total, meanMs: total / d.length, medianMs: d[Math.floor((d.length - 1) / 2)] };
      })
      .sort((a, b) => STAGE_NAMES.indexOf(a.stage) - STAGE_NAMES.indexOf(b.stage) || a.provider.localeCompare(b.provider));
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

const round = (ms: number) => +ms.toFixed(2);
