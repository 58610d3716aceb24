/** README's "Comparing presets" walkthrough, run command by command (4 frames per clip, paths in a temporary folder). */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { makeLabelledClips } from '../helpers/labelled-clips.ts';
import { haveShared, REPO_ROOT } from '../helpers/shared-data.ts';

const have = haveShared('faces/astronaut.png', 'faces/messi5.jpg', 'faces/face_swapped.jpg', 'faces/Megamind.avi');

function walkthrough(): string[] {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Comparing presets'));
  const block = section.slice(section.indexOf('```sh\n') + 6, section.indexOf('\n```', section.indexOf('```sh')));
  return block.split('\n').filter(Boolean);
}

describe.skipIf(!have)('README: Comparing presets', () => {
  it('runs as written', async () => {
    const lines = walkthrough();
    expect(lines[0]).toBe('bash scripts/make-labelled-clips.sh clips');
    const clips = makeLabelledClips();
    const work = mkdtempSync(path.join(os.tmpdir(), 'visage-readme-'));
    process.env.VISAGE_CACHE_DIR = mkdtempSync(path.join(os.tmpdir(), 'visage-cache-'));
    const outputs: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const words = line.split(/\s+/);
      expect(words[0]).toBe('visage');
      const args = words.slice(1).map((w) => (w === 'clips/' ? clips : /^[\w-]+\.(jsonl|html)$/.test(w) ? path.join(work, w) : w));
      const at = args[0] === 'pipeline' ? 2 : 1;
      if (args[0] !== 'eval') args.splice(at, 0, '--set', 'frames=4');
      const r = await runCli(...args);
      expect(r.code, `${line}\n${r.err}`).toBe(0);
      outputs[args[0]] = r.out;
    }
    for (const f of ['rows.jsonl', 'run.html', 'report.html']) expect(existsSync(path.join(work, f))).toBe(true);
    expect(outputs.eval).toMatch(/UAR +\d+\.\d\d +WAR/);
    expect(outputs.compare).toMatch(/^no-expression +[-+]\d+\.\d\d \[/m);
    for (const level of ['expression', 'faceapi-expression', 'action-units']) expect(outputs.ablate).toMatch(new RegExp(`^${level} +`, 'm'));
  }, 300_000);
});
