/**
 * Real plugin folders for the pipeline's tests: manifests, presets and activate() modules written to
 * a temp dir, loaded by a real Host. The modules record what the pipeline hands them in
 * `globalThis.__visageProbe`, so a test can check the calls, not only the results.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHost, type Host } from '../../host/host.ts';
import type { HostOptions } from '../../host/host-options.ts';

export interface ProbeLog {
  /** [stage or event, detail] in call order. */
  events: Array<[string, unknown]>;
  /** Counts of prompts calls, and how many of them should still fail. */
  prompts: { calls: number; failures: number };
}

export function probeLog(): ProbeLog {
  const g = globalThis as { __visageProbe?: ProbeLog };
  g.__visageProbe ??= { events: [], prompts: { calls: 0, failures: 0 } };
  return g.__visageProbe;
}

export function resetProbe(): ProbeLog {
  const log = probeLog();
  log.events.length = 0;
  log.prompts.calls = 0;
  log.prompts.failures = 0;
  return log;
}

const PROBE_MODULE = `
const log = () => globalThis.__visageProbe;
const record = (stage, call, detail) => log().events.push([stage, { slot: call.slot, clipId: call.clipId, frames: call.frames, wantRenders: call.wantRenders, options: call.options, aborted: call.signal.aborted, hasLogger: typeof call.logger?.info === 'function', ...detail }]);
export function activate(ctx) {
  log().events.push(['activate', 'test.probe']);
  ctx.subscriptions.push({ dispose: () => log().events.push(['dispose', 'test.probe']) });
  ctx.stages.ingest.provide('src', async (source, call) => {
    record('ingest', call, { path: source.path });
    if (source.path.startsWith('skip:')) return undefined;
    if (source.path === 'throw:') throw new Error('cannot open throw:');
    const label = source.path.startsWith('labelled:') ? 'sad' : undefined;
    return { id: 'clip-' + source.path, source: source.path, kind: 'image', fps: 1, totalFrames: 1, frames: [], indices: [], ...(label && { label }) };
  });
  ctx.stages.levels.provide('a', async ({ clip, deps, classes }, call) => {
    record('levels', call, { deps: Object.keys(deps), classes });
    return { scores: { happy: 0.75, sad: 0.25 }, summary: { from: 'a', clip: clip.id } };
  });
  ctx.stages.levels.provide('b', async ({ deps }, call) => {
    record('levels', call, { deps: Object.keys(deps) });
    return { scores: { happy: 1 - deps.a.scores.happy, sad: 1 - deps.a.scores.sad } };
  });
  ctx.stages.levels.provide('fail', async ({ clip }, call) => {
    record('levels', call, {});
    throw new Error('level failed on ' + clip.id);
  });
  ctx.stages.levels.provide('nothing', async () => undefined);
  ctx.stages.levels.provide('hang', (input, call) => {
    call.signal.addEventListener('abort', () => log().events.push(['hang aborted', String(call.signal.reason?.code ?? call.signal.reason)]));
    return new Promise(() => {});
  });
  ctx.stages.levels.provide('late', async () => {
    await new Promise((r) => setTimeout(r, 30));
    log().events.push(['late done', null]);
    return { scores: { happy: 0.5, sad: 0.5 } };
  });
  ctx.stages.prompts.provide('upper', async (prompts, call) => {
    const p = log().prompts;
    p.calls++;
    record('prompts', call, { classes: prompts.classes });
    if (p.failures > 0) { p.failures--; throw new Error('prompts failed'); }
    return { ...prompts, texts: prompts.classes.map((c) => c.toUpperCase()) };
  });
  ctx.stages.fusion.provide('sum', async ({ clip, levels, weights, prompts }, call) => {
    record('fusion', call, { levels: Object.keys(levels), weights, texts: prompts.texts });
    const logits = {};
    for (const [slot, out] of Object.entries(levels)) for (const [c, v] of Object.entries(out.scores ?? {})) logits[c] = (logits[c] ?? 0) + weights[slot] * v;
    return { logits, kind: 'probabilities' };
  });
  ctx.stages.decide.provide('top', async ({ clip, fusion, prompts }, call) => {
    record('decide', call, { logits: fusion.logits, classes: prompts.classes, label: clip.label });
    const [label] = Object.entries(fusion.logits).sort((x, y) => y[1] - x[1])[0];
    return { label, probabilities: fusion.logits, knownness: 1, unknown: false };
  });
  ctx.stages.decide.provide('none', async () => undefined);
}
export function deactivate() { log().events.push(['deactivate', 'test.probe']); }
`;

const DEP_MODULE = `
export function activate() { globalThis.__visageProbe.events.push(['activate', 'test.dep']); }
export function deactivate() { globalThis.__visageProbe.events.push(['deactivate', 'test.dep']); }
`;

const LAZY_MODULE = `export function activate(ctx) { ctx.stages.fusion.provide('half', async () => ({ logits: {}, kind: 'logits' })); }`;

const STUCK_MODULE = `export function activate() { globalThis.__visageProbe.events.push(['activate', 'test.stuck']); return new Promise(() => {}); }`;

const GRUMPY_MODULE = `
export function activate(ctx) {
  ctx.subscriptions.push({ dispose: () => { throw new Error('will not dispose'); } });
  ctx.stages.fusion.provide('g', async () => ({ logits: { happy: 1 }, kind: 'probabilities' }));
}
export function deactivate() { return new Promise(() => {}); }
`;

/** Watches finished clips (afterClip); one of its two taps throws on clip-boom. */
const OBSERVER_MODULE = `
export function activate(ctx) {
  ctx.afterClip.tap((r) => globalThis.__visageProbe.events.push(['observed', { id: r.clip.id, label: r.decision.label, levels: Object.keys(r.levels) }]));
  ctx.afterClip.tap((r) => { if (r.clip.id === 'clip-boom') throw new Error('observer broke'); });
}
`;

function writePlugin(root: string, name: string, manifest: Record<string, unknown>, files: Record<string, string>): void {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, publisher: 'test', version: '1.0.0', type: 'module', main: './index.js', engines: { visage: '^0.1.0' }, ...manifest }));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
}

const PROBE_PRESET = {
  name: 'probe',
  frames: 3,
  classes: ['happy', 'sad'],
  stages: {
    ingest: { use: 'test.probe/src', options: { k: 1 } },
    levels: { a: { weight: 2 }, b: { weight: 0.5, options: { w: 'b' } } },
    prompts: { use: 'test.probe/upper' },
    fusion: { use: 'test.probe/sum' },
    decide: { use: 'test.probe/top' },
  },
};

/** Writes the probe plugins once per process and returns a fresh host over them. */
let root: string | undefined;
export function probeHost(options: HostOptions = {}): Host {
  if (!root) {
    root = mkdtempSync(path.join(tmpdir(), 'visage-pipeline-'));
    writePlugin(root, 'probe', {
      pluginDependencies: ['test.dep'],
      contributes: {
        ingesters: [{ id: 'src', options: { type: 'object', properties: { k: { type: 'number' } } } }],
        levels: [{ id: 'a', scores: true }, { id: 'b', needs: ['a'], scores: true, options: { type: 'object', properties: { w: { type: 'string' } } } }, { id: 'fail', scores: true }, { id: 'nothing', scores: true }, { id: 'late', scores: true }, { id: 'hang', scores: true }],
        promptBuilders: [{ id: 'upper' }],
        fusions: [{ id: 'sum' }],
        deciders: [{ id: 'top' }, { id: 'none' }],
        presets: [{ id: 'probe', path: './probe.json' }],
      },
    }, { 'index.js': PROBE_MODULE, 'probe.json': JSON.stringify(PROBE_PRESET) });
    writePlugin(root, 'dep', {}, { 'index.js': DEP_MODULE });
    writePlugin(root, 'lazy', { contributes: { fusions: [{ id: 'half' }, { id: 'never' }] } }, { 'index.js': LAZY_MODULE });
    writePlugin(root, 'stuck', { contributes: { fusions: [{ id: 's' }] } }, { 'index.js': STUCK_MODULE });
    // Contributes nothing: activated only by its activation event, when a preset selects level `late`.
    writePlugin(root, 'observer', { activationEvents: ['onLevel:test.probe/late'] }, { 'index.js': OBSERVER_MODULE });
    writePlugin(root, 'grumpy', { contributes: { fusions: [{ id: 'g' }] } }, { 'index.js': GRUMPY_MODULE });
  }
  return createHost({ pluginDirs: [root], projectDirs: [], builtins: false, logLevel: 'silent', ...options });
}
