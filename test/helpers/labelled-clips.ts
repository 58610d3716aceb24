/** The README's folder of labelled clips, made by scripts/make-labelled-clips.sh from ../shared faces. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FACES_DIR, REPO_ROOT } from './shared-data.ts';

export const SCORING_PLUGIN = path.join(REPO_ROOT, 'test/fixtures/compare-plugins/scoring');

/** Runs the script into a fresh temporary folder: happy/, sad/, neutral/ with 4 clips each. */
export function makeLabelledClips(): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'visage-labelled-')), 'clips');
  execFileSync('bash', [path.join(REPO_ROOT, 'scripts/make-labelled-clips.sh'), dir], { env: { ...process.env, FACES_DIR }, stdio: 'pipe' });
  return dir;
}
