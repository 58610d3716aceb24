/**
 * Numeric CLI options are checked where they are parsed: `--jobs 0|abc|1.5` used to become 1 silently
 * and `--jobs 1000` started 1000 decoders. Use as commander's argParser:
 *
 *   cmd.option('--jobs <n>', 'clips processed at once', parsePositiveInt('--jobs', 64), 2)
 */
import * as errors from '../errors/messages.ts';

/** A commander argParser accepting whole numbers from 1 to `max`; anything else is CLI_OPTION_INVALID (exit 2). */
export function parsePositiveInt(name: string, max: number): (value: string) => number {
  return (value: string) => {
    const text = String(value).trim();
    const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(Number.isSafeInteger(n) && n >= 1 && n <= max)) throw errors.cliOptionInvalid(name, value, `a whole number from 1 to ${max}`);
    return n;
  };
}
