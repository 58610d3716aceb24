/**
 * The `descriptors` prompt builder and the `fineclipper` fusion as pipeline providers.
 *
 * descriptors: encodes the positive/negative descriptor of every class once per run into
 * PromptSet.prompts with the roles `positive` and `negative`.
 * fineclipper: with a checkpoint, runs the trained head (adapters, temporal model, learned fusion)
 * on this clip's level embeddings; without one, zero-shot (descriptors alone, fixed preset weights).
 */
import { resolve } from 'node:path';
import { promptsByClass, type FusionInput, type FusionOutput, type FusionProvider, type LevelOutput, type PromptProvider } from '@visage/core';
import { fineCliperOptionInvalid, fineCliperNoLevels, fineCliperCheckpointMismatch, fineCliperCheckpointClasses } from '../errors.ts';
import { descriptorTexts, encodeDescriptors, type DescriptorTemplates } from './descriptors.ts';
import { featuresOfOutput } from './extract-features.ts';
import { defaultConfig, type DescriptorEmbeddings, type FineCliperModel, type Formulation, type LevelSpec } from './fineclipper-model.ts';
import { loadFineCliper, type FineCliperCheckpoint } from './checkpoint-io.ts';
import { arplKnownness, videoEmbedding } from './unknown-knownness.ts';
import { predictLogits, zeroShotLogits, type ClipFeatures } from './train.ts';
import type { ClipSource } from './level-providers.ts';
import type { DescriptorsOptions, FineclipperOptions } from '../options.generated.ts';

export function descriptorsProvider(clip: ClipSource): PromptProvider<DescriptorsOptions> {
  return async (prompts, call) => {
    const templates = call.options;
    const texts = descriptorTexts(prompts.classes, templates);
    const enc = await encodeDescriptors(await clip(), texts);
    return {
      ...prompts,
      texts: Object.fromEntries(prompts.classes.map((c, i) => [c, [texts.positive[i], texts.negative[i]]])),
      prompts: prompts.classes.flatMap((c, i) => [
        { role: 'positive' as const, class: c, text: texts.positive[i], embedding: enc.positive[i] },
        { role: 'negative' as const, class: c, text: texts.negative[i], embedding: enc.negative[i] },
      ]),
      extra: { ...prompts.extra, templates },
    };
  };
}

/**
 * Classes come from the checkpoint when the preset names none. This is decided here, in the fusion,
 * because the fusion is the only stage that knows a checkpoint exists: the prompt builder runs before
 * it and sees only the preset, and resolving the preset in the host would teach the host a plugin's
 * checkpoint format. The fusion then encodes the checkpoint's classes with the checkpoint's own
 * descriptor templates (once per checkpoint), exactly as `visage predict --checkpoint` does.
 */
export function fineCliperFusionProvider(loadCheckpoint: (path: string) => Promise<FineCliperCheckpoint> = loadFineCliper, clip?: ClipSource): FusionProvider<FineclipperOptions> {
  let warned = false;
  const ownDescriptors = new Map<string, Promise<DescriptorEmbeddings>>();
  return async (input, call): Promise<FusionOutput> => {
    const o = call.options;
    const classes = input.prompts.classes;
    const levels = embeddingLevels(input);
    if (!o.checkpoint || o.zeroShot) {
      if (!o.zeroShot && !warned) {
        warned = true;
        call.logger.warn('fineclipper: no checkpoint given, so zero-shot (descriptors alone); pass --set stages.fusion.options.checkpoint=FILE from `visage train`, or use --preset fineclipper-zero-shot');
      }
      if (!levels.length) throw fineCliperNoLevels(Object.keys(input.levels));
      const specs: LevelSpec[] = levels.map(({ slot, kind }) => ({ name: slot, kind, weight: input.weights[slot] }));
      const config = defaultConfig(classes, levels[0].features.shape[1], levels[0].features.shape[0], specs, { formulation: o.formulation, temperature: o.temperature });
      const descriptors = descriptorsOf(input, classes);
      const clip = clipFeatures(input, levels);
      const logits = zeroShotLogits(config, descriptors, clip);
      const perLevel = Object.fromEntries(specs.map((s) => [s.name, byName(classes, zeroShotLogits({ ...config, levels: [{ ...s, weight: 1 }] }, descriptors, clip))]));
      return { logits: byName(classes, logits), kind: 'logits', perLevel, ...await unknownKnownness(input, classes, levels) };
    }
    const file = resolve(o.checkpoint);
    const { model, templates } = await loadCheckpoint(file);
    const cfg = model.config;
    const missing = cfg.levels.filter((l) => !levels.some((x) => x.slot === l.name));
    if (missing.length) throw fineCliperCheckpointMismatch(file, `needs level(s) ${missing.map((l) => l.name).join(', ')}, which the preset does not enable or which produced no embeddings`);
    if (!classes.length && clip) {
      let descriptors = ownDescriptors.get(file);
      if (!descriptors) ownDescriptors.set(file, (descriptors = clip().then((m) => encodeDescriptors(m, descriptorTexts(cfg.classes, templates)))));
      const [logits] = await predictLogits(model, await descriptors, [clipFeatures(input, levels)]);
      return { logits: byName(cfg.classes, logits), kind: 'logits' };
    }
    // The checkpoint's class order wins; preset names match it case-insensitively (DFEW "Happy" = "happy").
    const presetName = new Map(classes.map((c) => [c.toLowerCase(), c]));
    const mapped = cfg.classes.map((c) => presetName.get(c.toLowerCase()));
    if (cfg.classes.length !== classes.length || mapped.some((c) => c === undefined)) {
      throw fineCliperCheckpointClasses(file, cfg.classes, classes);
    }
    const ordered = descriptorsOf(input, mapped as string[]);
    const [logits] = await predictLogits(model, ordered, [clipFeatures(input, levels)]);
    return { logits: byName(mapped as string[], logits), kind: 'logits', ...await unknownKnownness(input, mapped as string[], levels, model) };
  };
}

interface EmbeddingLevel { slot: string; kind: 'frames' | 'text'; features: ReturnType<typeof featuresOfOutput>['tensor'] }

/** Enabled slots (weight > 0) whose output carries embeddings. */
function embeddingLevels(input: FusionInput): EmbeddingLevel[] {
  return Object.entries(input.levels)
    .filter(([slot, out]) => (input.weights[slot] ?? 0) > 0 && hasEmbeddings(out))
    .map(([slot, out]) => {
      const { tensor, kind } = featuresOfOutput(out, slot, input.clip.id);
      return { slot, kind, features: tensor };
    });
}

const hasEmbeddings = (out: LevelOutput) => !!(out.frameEmbeddings?.length || out.embedding);

function clipFeatures(input: FusionInput, levels: EmbeddingLevel[]): ClipFeatures {
  return { id: input.clip.id, label: input.clip.label, levels: Object.fromEntries(levels.map((l) => [l.slot, l.features])) };
}

/** With an unknown-role prompt for every class, the fusion's own known-ness (unknown-knownness.ts); else nothing. */
async function unknownKnownness(input: FusionInput, classes: string[], levels: EmbeddingLevel[], model?: FineCliperModel): Promise<{ knownness?: number }> {
  const unknown = promptsByClass(input.prompts, 'unknown', classes);
  const level = levels.find((l) => l.kind === 'frames') ?? levels[0];
  if (unknown.missing.length || !classes.length || !level) return {};
  return { knownness: arplKnownness(await videoEmbedding(level.features, level.slot, model), unknown.embeddings) };
}

/** The positive and negative prompts of each class, from whichever builder the preset selects (descriptors, hesp-prompts). */
function descriptorsOf(input: FusionInput, classes: string[]): DescriptorEmbeddings {
  const positive = promptsByClass(input.prompts, 'positive', classes);
  const negative = promptsByClass(input.prompts, 'negative', classes);
  const missing = [...new Set([...positive.missing, ...negative.missing])];
  if (missing.length) throw fineCliperOptionInvalid('stages.prompts', `the fineclipper fusion needs a positive and a negative prompt for ${missing.join(', ')}, and the prompt builder gave none`);
  return { positive: positive.embeddings, negative: negative.embeddings };
}

function byName(classes: string[], z: Float32Array): Record<string, number> {
  return Object.fromEntries(classes.map((c, i) => [c, z[i]]));
}
