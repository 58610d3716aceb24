import { describe, expect, it } from 'vitest';
import { parseNumberIn, parseVideoLength } from '../../core/cli/option-parsers.ts';
import { VisageError } from '../../core/errors/visage-error.ts';
import { thrown } from '../../core/testing.ts';


describe('--window / --stride lengths', () => {
  const parse = parseVideoLength('--window');

  it('reads seconds and frames', () => {
    expect(parse('2s')).toEqual({ value: 2, unit: 's' });
    expect(parse(' 0.5s ')).toEqual({ value: 0.5, unit: 's' });
    expect(parse('.25s')).toEqual({ value: 0.25, unit: 's' });
    expect(parse('48f')).toEqual({ value: 48, unit: 'f' });
  });

  it.each(['', '2', '0s', '0f', '1.5f', '-2s', 'abc', '2 m', 'Infinitys', '1e3s'])('refuses %j with WINDOW_LENGTH_INVALID (exit 2)', (v) => {
    const e = thrown(() => parse(v));
    expect(e).toBeInstanceOf(VisageError);
    expect(e.code).toBe('WINDOW_LENGTH_INVALID');
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('--window');
    expect(e.hint).toMatch(/2s.*48f/);
  });
});

describe('parseNumberIn', () => {
  it('accepts the range, ends included, and refuses the rest', () => {
    const p = parseNumberIn('--scene-threshold', 0, 1);
    expect(p('0')).toBe(0);
    expect(p('0.4')).toBe(0.4);
    expect(p('1')).toBe(1);
    for (const v of ['', '-0.1', '1.01', 'x', 'NaN']) expect(thrown(() => p(v)).code).toBe('CLI_OPTION_INVALID');
  });
});
