/**
 * Numeric CLI options are checked where commander parses them: `--jobs 0|abc|1.5` used to become 1
 * silently and `--jobs 1000` started 1000 decoders. A bad value is CLI_OPTION_INVALID (exit 2)
 * before anything runs. Use as commander's argParser:
 *
 *   cmd.option('--jobs <n>', 'clips processed at once', parsePositiveInt('--jobs', 64), 2)
 */
import * as errors from '../errors/messages.ts';
import type { VideoLength } from '../pipeline/windows.ts';

/** Whole numbers from `min` to `max`. */
export function parseIntIn(name: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    const text = String(value).trim();
    const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(Number.isSafeInteger(n) && n >= min && n <= max)) throw errors.cliOptionInvalid(name, value, `a whole number from ${min} to ${max}`);
    return n;
  };
}

/** Whole numbers from 1 to `max`. */
export function parsePositiveInt(name: string, max: number): (value: string) => number {
  return parseIntIn(name, 1, max);
}

/** Seconds (a finite number >= 0), returned as ms; 0 means "no limit". */
export function parseSecondsAsMs(name: string): (value: string) => number {
  return (value: string) => {
    const text = String(value).trim();
    const n = text === '' ? Number.NaN : Number(text);
    if (!(Number.isFinite(n) && n >= 0)) throw errors.cliOptionInvalid(name, value, 'a number of seconds >= 0 (0: no limit)');
    return Math.round(n * 1000);
  };
}

/** `--window 2s`, `--stride 24f`: a positive number of seconds, or a whole positive number of frames. */
export function parseVideoLength(name: string): (value: string) => VideoLength {
  return (value: string) => {
    const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(s|f)$/.exec(String(value).trim());
    const n = m ? Number(m[1]) : Number.NaN;
    const unit = m?.[2] as VideoLength['unit'] | undefined;
    if (!unit || !(n > 0) || (unit === 'f' && !Number.isSafeInteger(n))) throw errors.windowLengthInvalid(name, value);
    return { value: n, unit };
  };
}

/** A number from `min` to `max` inclusive (fractions allowed). */
export function parseNumberIn(name: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    const text = String(value).trim();
    const n = text === '' ? Number.NaN : Number(text);
    if (!(Number.isFinite(n) && n >= min && n <= max)) throw errors.cliOptionInvalid(name, value, `a number from ${min} to ${max}`);
    return n;
  };
}
