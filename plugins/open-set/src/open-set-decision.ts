/**
 * The `open-set` decider: argmax over the known classes, and `unknown` when the selected known-ness
 * score falls below the threshold (from the preset; `visage open-set eval` prints the one chosen on
 * validation, or the plugin-wide checkpoint's). Without a threshold nothing is flagged, and the score is still reported.
 */
import type { DecideInput, Decision, StageCall } from '@visage/core';
import { closedSetChoice } from '@visage/core/metrics';
import { fusionGivesNoKnownness, openSetConfigInvalid } from './errors.ts';
import { knownnessOf } from './knownness.ts';
import type { OpenSetOptions } from './options.generated.ts';

/** The `open-set` decider's options, as the host passes them (defaults filled from the manifest). */
export type OpenSetDecisionOptions = OpenSetOptions;

export function openSetDecision({ fusion }: Pick<DecideInput, 'fusion'>, options: OpenSetDecisionOptions): Decision {
  const { label, probabilities } = closedSetChoice(fusion.logits, fusion.kind, options.temperature);
  if (label === null) return { label, probabilities, knownness: -Infinity, unknown: true };
  const values = Object.values(fusion.logits);
  const knownness = options.score === 'fusion' ? fusionKnownness(fusion) : knownnessOf(values, values.length, options.score, options.temperature)[0];
  // Stryker disable next-line ConditionalExpression: knownness < undefined is false anyway; the check says what is meant
  return { label, probabilities, knownness, unknown: options.threshold !== undefined && knownness < options.threshold };
}

/**
 * The decide provider (options validated by the manifest schema). `thresholdOf` reads a checkpoint's
 * validation threshold (memoised by the caller); its score rule must be the one in use. With neither
 * `threshold` nor `thresholdFrom`, `defaultCheckpoint` (the plugin-wide checkpoint, when it exists) gives
 * the threshold, but only for the score rule it was chosen with: a preset that picks another score on
 * purpose keeps running, with nothing flagged, as before.
 */
export function openSetDecider(thresholdOf: (checkpoint: string) => Promise<{ threshold: number; score: string }>, defaultCheckpoint?: string) {
  return async (input: DecideInput, call: StageCall<OpenSetOptions>): Promise<Decision> => {
    const options = call.options;
    if (options.threshold === undefined && options.thresholdFrom) {
      const chosen = await thresholdOf(options.thresholdFrom);
      if (chosen.score !== options.score) {
        throw openSetConfigInvalid('decide.score', `the threshold of ${options.thresholdFrom} was chosen for score "${chosen.score}", but the decider uses "${options.score}"; set stages.decide.options.score=${chosen.score}`);
      }
      return openSetDecision(input, { ...options, threshold: chosen.threshold });
    }
    if (options.threshold === undefined && defaultCheckpoint !== undefined) {
      const chosen = await thresholdOf(defaultCheckpoint);
      if (chosen.score === options.score) return openSetDecision(input, { ...options, threshold: chosen.threshold });
    }
    return openSetDecision(input, options);
  };
}

function fusionKnownness(fusion: DecideInput['fusion']): number {
  if (typeof fusion.knownness !== 'number' || !Number.isFinite(fusion.knownness)) throw fusionGivesNoKnownness();
  return fusion.knownness;
}
