/**
 * --save-renders writes an index.html contact sheet; --renders chooses the levels (issue 13).
 * Runs the embedded preset on the sample clip.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { REPO_ROOT } from '../helpers/shared-data.ts';

const sample = path.join(REPO_ROOT, 'samples', 'astronaut.mp4');

describe('--save-renders contact sheet and --renders', () => {
  it('writes only the chosen levels, and an index.html whose rows, links and captions match the run', async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'visage-sheet-'));
    const dir = path.join(work, 'renders');
    const rows = path.join(work, 'rows.jsonl');
    const r = await runCli('pipeline', 'run', sample, '--save-renders', dir, '--renders', 'landmarks,parsing', '--out', rows);
    expect(r.code, r.err).toBe(0);
    const files = readdirSync(path.join(dir, 'astronaut'));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => !/^(landmarks|parsing)-/.test(f))).toEqual([]);
    expect(files.some((f) => f.startsWith('parsing-'))).toBe(true);

    const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
    const row = JSON.parse(readFileSync(rows, 'utf8').trim());
    expect(html).toContain(`<h2>astronaut: <span class="label">${row.label}</span></h2>`);
    const [best, p] = Object.entries(row.probabilities as Record<string, number>).sort((a, b) => b[1] - a[1])[0];
    expect(html).toContain(`${best} ${p.toFixed(2)}`);
    // Every image is a relative link to a file that exists, and every file is shown.
    const srcs = [...html.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]);
    expect(srcs.sort()).toEqual(files.map((f) => `astronaut/${f}`).sort());
    expect(html).not.toMatch(/https?:\/\//);
    // Captions name the source frame and its time, at one frame rate for the whole clip.
    expect(html).toMatch(/<h3>parsing: map<\/h3>/);
    const captions = [...html.matchAll(/<figcaption>frame (\d+) · ([\d.]+) s<\/figcaption>/g)];
    expect(captions.length).toBe(srcs.length);
    const last = captions.at(-1)!;
    const fps = Number(last[1]) / Number(last[2]);
    expect(fps).toBeGreaterThan(20);
    for (const [, frame, secs] of captions) expect(Math.abs(Number(secs) - Number(frame) / fps)).toBeLessThan(0.011);
    expect(new Set(captions.map((c) => c[1])).size).toBeGreaterThan(8); // distinct sampled frames, not one repeated
    // The overlay itself says which frame it is: white caption pixels on a black box, top left.
    const { data, info } = await sharp(path.join(dir, 'astronaut', 'landmarks-frame-00.png')).raw().toBuffer({ resolveWithObject: true });
    const box = Array.from({ length: 20 * 100 }, (_, i) => data[((4 + Math.floor(i / 100)) * info.width + (i % 100)) * info.channels]);
    expect(box.filter((v) => v === 255).length).toBeGreaterThan(50);
    expect(box.filter((v) => v === 0).length).toBeGreaterThan(200);
    expect(r.err).toContain(`contact sheet: ${path.join(dir, 'index.html')}`);
  }, 120_000);

  it('refuses a --renders level the preset does not have (exit 2, naming the slots), and --renders without --save-renders', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-sheet-'));
    const bad = await runCli('pipeline', 'run', sample, '--save-renders', dir, '--renders', 'landmarks,mesh');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/RENDERS_UNKNOWN_LEVEL: --renders names level\(s\) mesh, which this preset does not have/);
    expect(bad.err).toMatch(/hint: choose among this preset's level slots: .*landmarks.*parsing/);
    expect(existsSync(path.join(dir, 'index.html'))).toBe(false);
    const alone = await runCli('pipeline', 'run', sample, '--renders', 'parsing');
    expect(alone.code).toBe(2);
    expect(alone.err).toMatch(/--renders.*--save-renders DIR/);
  });
});
