/**
 * Parsers for numeric CLI options. A bad number is refused by commander before anything runs
 * (exit 2), instead of being read as 1 or NaN.
 */
import { InvalidArgumentError } from 'commander';

/** An integer in [min, max]; "abc", "1.5" and "" are refused. */
export function intIn(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}.`);
    return n;
  };
}

/** Seconds, a finite number >= 0, returned as ms; 0 means "no limit". */
export function secondsAsMs(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number of seconds >= 0 (0: no limit).');
  return Math.round(n * 1000);
}
