/**
 * Classes 4 and 10 at file boundaries: forged checkpoints, forged sidecars, deep `extends` chains and
 * broken predictions files end in a coded error that names the file, never a stack trace, a stack
 * overflow, a huge allocation or weights read from the header.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../core/compute/index.ts';
import { FineCliperModel, defaultConfig } from '../../plugins/clip-adapter/src/fineclipper/fineclipper-model.ts';
import { loadFineCliper, saveFineCliper } from '../../plugins/clip-adapter/src/fineclipper/checkpoint-io.ts';
import { FIXTURE_PLUGINS, runCli } from '../helpers/cli.ts';
import { tmpDir, writeRaw, writeSafetensors } from './support/files.ts';

const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e) => `${e.code}: ${e.message}`);

describe('forged safetensors checkpoints', () => {
  const dir = tmpDir('ckpt');
  const values = new Float32Array([1, 2, 3, 4]);
  const cases: Array<[string, unknown, Buffer | Float32Array, RegExp]> = [
    ['a negative offset (would read header bytes)', { w: { dtype: 'F32', shape: [4], data_offsets: [-16, 0] } }, values, /data_offsets \[-16,0\] are not/],
    ['offsets past the end', { w: { dtype: 'F32', shape: [4], data_offsets: [8, 24] } }, values, /run past the 16-byte data section/],
    ['overlapping tensors', { a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, values, /a and b overlap/],
    ['a dtype whose size does not match', { w: { dtype: 'F16', shape: [8], data_offsets: [0, 16] } }, values, /dtype F16; only F32/],
    ['offsets that do not hold the shape', { w: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }, values, /hold 16 bytes, shape \[3\] of F32 needs 12/],
    ['a negative dimension', { w: { dtype: 'F32', shape: [-4], data_offsets: [0, 16] } }, values, /shape \[-4\] is not/],
    ['a null tensor entry', { w: null }, values, /w: the header entry is null/],
    ['a header that is JSON null', 'null', values, /header is not a JSON object/],
    ['all-NaN weights', { w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Float32Array([NaN, NaN, NaN, NaN]), /4 of its 4 values are NaN or infinite/],
    ['one infinite weight', { w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Float32Array([1, Infinity, 3, 4]), /1 of its 4 values/],
  ];
  it.each(cases)('%s is CHECKPOINT_INVALID naming the file', async (name, header, data, detail) => {
    const file = writeSafetensors(path.join(dir, `${name.replaceAll(' ', '-')}.safetensors`), header, data);
    const r = await codeOf(loadCheckpoint(file));
    expect(r).toMatch(/^CHECKPOINT_INVALID: /);
    expect(r).toContain(file);
    expect(r).toMatch(detail);
  });

  it('a well-formed file still loads', async () => {
    const file = writeSafetensors(path.join(dir, 'ok.safetensors'), { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, values);
    const ckpt = await loadCheckpoint(file);
    expect([...ckpt.tensors.get('b')!.data]).toEqual([3, 4]);
  });
});

describe('forged FineCLIPER sidecars', () => {
  const dir = tmpDir('fcl');
  const file = path.join(dir, 'model.safetensors');
  const sidecar = path.join(dir, 'model.json');
  const ready = saveFineCliper(file, new FineCliperModel(defaultConfig(['happy', 'sad'], 8, 4, [{ name: 'frames', kind: 'frames' }])), { templates: { positive: 'a {label}', negative: 'no {label}' } });

  it('a real checkpoint round-trips', async () => {
    await ready;
    expect((await loadFineCliper(file)).model.config.embedDim).toBe(8);
  });

  it.each([
    ['embedDim', 1e8, /need more than the \d+ values the file stores/],
    ['frames', 1e9, /need more than/],
    ['temporalMlp', 5e8, /need more than/],
    ['embedDim', -8, /config\.embedDim is -8, not a positive integer/],
    ['levels', [null], /config\.levels is not/],
  ])('config.%s = %j fails before allocating', async (key, value, detail) => {
    await ready;
    const original = readFileSync(sidecar, 'utf8');
    const forged = JSON.parse(original);
    forged.config[key] = value;
    writeFileSync(sidecar, JSON.stringify(forged));
    try {
      const before = process.memoryUsage().rss;
      const r = await codeOf(loadFineCliper(file));
      expect(r).toMatch(/^FINECLIPER_CHECKPOINT_MISMATCH: checkpoint .*model\.safetensors/);
      expect(r).toMatch(detail);
      // 1e8 x 9 floats would be 3.6 GB; nothing near that was touched.
      expect(process.memoryUsage().rss - before).toBeLessThan(200 * 2 ** 20);
    } finally {
      writeFileSync(sidecar, original);
    }
  });
});

describe('deep extends chains', () => {
  it('a 20,000-deep chain is PRESET_EXTENDS_TOO_DEEP (exit 2), not a stack overflow', async () => {
    const dir = tmpDir('ext');
    const depth = 20_000;
    for (let i = 0; i < depth; i++) writeRaw(path.join(dir, `p${i}.json`), JSON.stringify({ extends: i === depth - 1 ? 'synthetic' : `./p${i + 1}.json` }));
    const r = await runCli('pipeline', 'explain', '--plugin-dir', FIXTURE_PLUGINS, '--config', path.join(dir, 'p0.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/PRESET_EXTENDS_TOO_DEEP: .*p0\.json -> p1\.json -> \.\.\. -> p3\d\.json.* is over 32 levels/);
  });

  it('a diamond that doubles at each level is capped by the layer count', async () => {
    const dir = tmpDir('dia');
    for (let i = 0; i < 20; i++) writeRaw(path.join(dir, `d${i}.json`), JSON.stringify({ extends: i === 19 ? 'synthetic' : [`./d${i + 1}.json`, `./d${i + 1}.json`] }));
    const started = Date.now();
    const r = await runCli('pipeline', 'explain', '--plugin-dir', FIXTURE_PLUGINS, '--config', path.join(dir, 'd0.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/PRESET_EXTENDS_TOO_DEEP: .*over 256 layers in all/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('an ordinary chain of 10 still resolves', async () => {
    const dir = tmpDir('ok');
    for (let i = 0; i < 10; i++) writeRaw(path.join(dir, `p${i}.json`), JSON.stringify({ extends: i === 9 ? 'synthetic' : `./p${i + 1}.json`, ...(i === 0 && { frames: 3 }) }));
    const r = await runCli('pipeline', 'explain', '--plugin-dir', FIXTURE_PLUGINS, '--config', path.join(dir, 'p0.json'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/frames {3}3/);
  });
});

describe('broken predictions files for visage eval', () => {
  const dir = tmpDir('pred');
  const good = '{"id":"1","label":"happy","predicted":"happy"}\n{"id":"2","label":"sad","predicted":"happy"}\n';
  it.each([
    ['a null line', `${good}null\n`, /PREDICTIONS_INVALID: .*bad\.jsonl:3: a line must be a JSON object, got null/],
    ['an array line', `[1,2]\n${good}`, /bad\.jsonl:1: a line must be a JSON object, got an array/],
    ['a number line', `${good}42\n`, /bad\.jsonl:3: a line must be a JSON object, got number/],
    ['probabilities that are not an object', '{"id":"1","label":"a","predicted":"a","probabilities":null}\n', /"probabilities" must be an object/],
  ])('%s is exit 2 with the line number', async (_, text, message) => {
    const r = await runCli('eval', '--predictions', writeRaw(path.join(dir, 'bad.jsonl'), text));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('a folder given as the file is PREDICTIONS_UNREADABLE, exit 2', async () => {
    const r = await runCli('eval', '--predictions', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/PREDICTIONS_UNREADABLE: .* is a folder/);
  });

  it('a missing file is PREDICTIONS_UNREADABLE, exit 2', async () => {
    const r = await runCli('eval', '--predictions', path.join(dir, 'missing.jsonl'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/PREDICTIONS_UNREADABLE: .*missing\.jsonl: no such file/);
  });
});
