/**
 * The wide CSV layout (`--format csv-wide`): one row per clip with everything a spreadsheet user
 * wants beside the decision, read from the levels' scores and `summary` fields where present
 * (empty cells where a level did not report them):
 *   per-level class scores (<slot>_<class>), AU mean and peak over frames (au<N>_mean, au<N>_peak)
 *   and mean head roll and turn from the description level's `actionUnits`, the face box (median
 *   over frames) and detector confidence from the landmarks level's `faceBox`/`faceConfidence`,
 *   frames with a face, and the error code.
 */
import type { OutputRow } from './row.ts';

/** The action units the built-in describer measures (plugins/mllm; README "Descriptions of facial change"). */
export const WIDE_AUS = ['AU1', 'AU2', 'AU4', 'AU5', 'AU6', 'AU9', 'AU12', 'AU15', 'AU17', 'AU20', 'AU23', 'AU25', 'AU26'];

export function wideHeader(classes: string[], slots: string[]): string[] {
  return [
    'id', 'source', 'ground_truth', 'label', 'knownness', 'unknown',
    ...classes.map((c) => `p_${c}`),
    ...slots.flatMap((s) => classes.map((c) => `${s}_${c}`)),
    ...WIDE_AUS.flatMap((au) => [`${au.toLowerCase()}_mean`, `${au.toLowerCase()}_peak`]),
    'head_roll_deg_mean', 'head_turn_mean',
    'face_x0', 'face_y0', 'face_x1', 'face_y1', 'face_confidence', 'frames_with_face', 'frames',
    'error_code', 'error_message',
  ];
}

export function wideCells(row: OutputRow, classes: string[], slots: string[]): unknown[] {
  const summaries = Object.values(row.levels).map((l) => l.summary ?? {});
  const find = <T>(key: string) => summaries.find((s) => s[key] !== undefined && s[key] !== null)?.[key] as T | undefined;
  const au = find<{ intensity?: Record<string, (number | null)[]>; headRollDeg?: (number | null)[]; headTurn?: (number | null)[] }>('actionUnits');
  const box = find<number[]>('faceBox');
  const r4 = (x: number | undefined) => (x === undefined ? '' : Math.round(x * 1e4) / 1e4);
  return [
    row.id, row.source, row.groundTruth ?? '', row.label ?? '', row.knownness, row.unknown,
    ...classes.map((c) => row.probabilities[c] ?? ''),
    ...slots.flatMap((s) => classes.map((c) => row.levels[s]?.scores?.[c] ?? '')),
    ...WIDE_AUS.flatMap((name) => {
      const xs = finite(au?.intensity?.[name]);
      return [r4(mean(xs)), r4(xs.length ? Math.max(...xs) : undefined)];
    }),
    r4(mean(finite(au?.headRollDeg))), r4(mean(finite(au?.headTurn))),
    ...(box ?? ['', '', '', '']), find<number>('faceConfidence') ?? '', find<number>('framesWithFace') ?? '', find<number>('frames') ?? '',
    row.error?.code ?? '', row.error?.message ?? '',
  ];
}

const finite = (xs: (number | null)[] | undefined): number[] => (xs ?? []).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);
