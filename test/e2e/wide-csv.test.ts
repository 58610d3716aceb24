/** `pipeline run --format csv-wide` on a real face clip with the embedded preset. */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../core/data/index.ts';
import { runCli } from '../helpers/cli.ts';
import { FACES_DIR, haveShared } from '../helpers/shared-data.ts';

describe.skipIf(!haveShared('faces/astronaut.png'))('pipeline run --format csv-wide', () => {
  it('writes per-level scores, AU mean and peak, head pose, face box and confidence, frames with a face', async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'visage-wide-')), 'rows.csv');
    const r = await runCli('pipeline', 'run', path.join(FACES_DIR, 'astronaut.png'), '--set', 'frames=4', '--format', 'csv-wide', '--out', out);
    expect(r.code).toBe(0);
    const [header, row] = parseCsv(readFileSync(out, 'utf8')).map((x) => x.fields);
    const cell = (name: string) => row[header.indexOf(name)];
    expect(header.indexOf('expression_happy')).toBeGreaterThan(0);
    // p_happy is the embedded preset's weighted mean of its scoring levels (weights 0.4, 0.4, 0.2).
    const fused = 0.4 * Number(cell('expression_happy')) + 0.4 * Number(cell('faceapi-expression_happy')) + 0.2 * Number(cell('action-units_happy'));
    expect(Number(cell('p_happy'))).toBeCloseTo(fused, 5);
    for (const au of ['au12_mean', 'au12_peak', 'au6_peak', 'head_roll_deg_mean']) expect(Number.isFinite(Number(cell(au))) && cell(au) !== '').toBe(true);
    expect(Number(cell('au12_peak'))).toBeGreaterThanOrEqual(Number(cell('au12_mean')));
    const [x0, y0, x1, y1] = ['face_x0', 'face_y0', 'face_x1', 'face_y1'].map((c) => Number(cell(c)));
    expect(x1 - x0).toBeGreaterThan(50);
    expect(y1 - y0).toBeGreaterThan(50);
    expect(Number(cell('face_confidence'))).toBeGreaterThan(0.5);
    expect(cell('frames_with_face')).toBe('4');
    expect(cell('error_code')).toBe('');
  });
});
