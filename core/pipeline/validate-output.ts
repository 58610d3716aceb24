/**
 * What a provider returns is checked where it crosses into the host, so a NaN, a string or a class
 * name outside the run's classes becomes a coded error naming the plugin, never a silent uniform
 * guess further down. Score maps are copied into null-prototype objects: a class called
 * `constructor` or `toString` can then never read an inherited property.
 */
import * as errors from '../errors/messages.ts';
import type { ClassScores } from '../types.ts';
import type { Decision, FusionOutput, LevelOutput } from './stage-types.ts';

export interface OutputContext {
  plugin: string;
  stage: string;
  provider: string;
  /** The run's classes; empty when the preset names none (then any class name is accepted). */
  classes: readonly string[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);

export function validateLevelOutput(out: unknown, ctx: OutputContext): LevelOutput {
  const bad = (field: string, detail: string) => errors.stageOutputInvalid(ctx.plugin, ctx.stage, ctx.provider, field, detail);
  if (!isPlainObject(out)) throw bad('', `expected an object, got ${describe(out)}`);
  const o = out as LevelOutput;
  const checked: LevelOutput = { ...o };
  // A level may score more classes than the run asks for (a 7-class CNN in a 3-class preset): the
  // others are dropped and named in the row's flags. Scores for none of the run's classes are an error.
  const dropped = new Set<string>();
  if (o.scores !== undefined) checked.scores = classScores(o.scores, 'scores', ctx, dropped);
  if (o.frameScores !== undefined) {
    if (!Array.isArray(o.frameScores)) throw bad('frameScores', `expected an array, got ${describe(o.frameScores)}`);
    // Loops, not per-call closures: V8 drops a dead closure's optimized code at a full GC, so in a
    // batch these were compiled again every few clips.
    const frameScores = new Array<ClassScores | null>(o.frameScores.length);
    for (let i = 0; i < frameScores.length; i++) {
      const s = o.frameScores[i];
      frameScores[i] = s === null ? null : classScores(s, `frameScores[${i}]`, ctx, dropped);
    }
    checked.frameScores = frameScores;
  }
  if (o.frameWeights !== undefined) {
    if (!Array.isArray(o.frameWeights)) throw bad('frameWeights', `expected an array of numbers, got ${describe(o.frameWeights)}`);
    for (let i = 0; i < o.frameWeights.length; i++) {
      const w: unknown = o.frameWeights[i];
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw bad(`frameWeights[${i}]`, `expected a finite number >= 0, got ${describe(w)}`);
    }
  }
  if (o.embedding !== undefined && !(o.embedding instanceof Float32Array)) throw bad('embedding', `expected a Float32Array, got ${describe(o.embedding)}`);
  if (o.frameEmbeddings !== undefined && !(Array.isArray(o.frameEmbeddings) && o.frameEmbeddings.every((e) => e instanceof Float32Array))) {
    throw bad('frameEmbeddings', 'expected an array of Float32Array');
  }
  if (o.text !== undefined && !(Array.isArray(o.text) && o.text.every((t) => typeof t === 'string'))) throw bad('text', 'expected an array of strings');
  if (o.flags !== undefined && !(Array.isArray(o.flags) && o.flags.every((t) => typeof t === 'string'))) throw bad('flags', 'expected an array of strings');
  if (o.summary !== undefined && !isPlainObject(o.summary)) throw bad('summary', `expected an object, got ${describe(o.summary)}`);
  if (o.renders !== undefined && !Array.isArray(o.renders)) throw bad('renders', `expected an array, got ${describe(o.renders)}`);
  if (dropped.size) checked.flags = [...(o.flags ?? []), `scores for classes outside this run ignored: ${[...dropped].join(', ')}`];
  return checked;
}

export function validateFusionOutput(out: unknown, ctx: OutputContext): FusionOutput {
  const bad = (field: string, detail: string) => errors.stageOutputInvalid(ctx.plugin, ctx.stage, ctx.provider, field, detail);
  if (!isPlainObject(out)) throw bad('', `expected an object, got ${describe(out)}`);
  const o = out as unknown as FusionOutput;
  if (o.kind !== 'logits' && o.kind !== 'probabilities') throw bad('kind', `expected "logits" or "probabilities", got ${describe(o.kind)}`);
  const logits = classScores(o.logits, 'logits', ctx);
  if (Object.keys(logits).length === 0) throw bad('logits', 'no class has a score, so there is nothing to decide between');
  const perLevel = o.perLevel === undefined ? undefined
    : Object.fromEntries(Object.entries(o.perLevel).map(([slot, s]) => [slot, classScores(s, `perLevel.${slot}`, ctx)]));
  return { ...o, logits, ...(perLevel && { perLevel }) };
}

export function validateDecision(out: unknown, ctx: OutputContext): Decision {
  const bad = (field: string, detail: string) => errors.stageOutputInvalid(ctx.plugin, ctx.stage, ctx.provider, field, detail);
  if (!isPlainObject(out)) throw bad('', `expected an object, got ${describe(out)}`);
  const o = out as unknown as Decision;
  if (typeof o.unknown !== 'boolean') throw bad('unknown', `expected a boolean, got ${describe(o.unknown)}`);
  if (o.label === null) {
    if (!o.unknown) throw bad('label', 'a null label is allowed only with unknown=true');
  } else if (typeof o.label !== 'string' || (ctx.classes.length && !ctx.classes.includes(o.label))) {
    throw bad('label', `expected one of this run's classes (${ctx.classes.join(', ')}), got ${describe(o.label)}`);
  }
  if (typeof o.knownness !== 'number' || Number.isNaN(o.knownness)) throw bad('knownness', `expected a number, got ${describe(o.knownness)}`);
  return { ...o, probabilities: classScores(o.probabilities, 'probabilities', ctx) };
}

/**
 * Checks a map of class scores. With `dropped`, classes outside the run are set aside there (levels);
 * without it they are an error (fusion and decide produce scores for this run alone).
 */
function classScores(s: unknown, field: string, ctx: OutputContext, dropped?: Set<string>): ClassScores {
  const bad = (detail: string) => errors.stageOutputInvalid(ctx.plugin, ctx.stage, ctx.provider, field, detail);
  if (!isPlainObject(s)) throw bad(`expected an object of class scores, got ${describe(s)}`);
  const out: ClassScores = Object.create(null);
  const keys = Object.keys(s);
  for (const key of keys) {
    const v = s[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`the score of "${key}" is ${describe(v)}, not a finite number`);
    if (ctx.classes.length && !ctx.classes.includes(key)) {
      if (!dropped) throw bad(`"${key}" is not one of this run's classes (${ctx.classes.join(', ')})`);
      dropped.add(key);
      continue;
    }
    out[key] = v;
  }
  if (dropped && keys.length && Object.keys(out).length === 0) {
    throw bad(`none of its classes (${keys.join(', ')}) is one of this run's classes (${ctx.classes.join(', ')})`);
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'bigint') return `the bigint ${v}n`;
  return typeof v;
}
