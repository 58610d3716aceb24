import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/shared-data.ts';

// One layout, so a newcomer finds an area's tests without searching: unit tests sit in
// `<area>/test/`, and the top-level `test/` holds only end-to-end and cross-plugin tests.
function trackedTestFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.test.ts'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return out.split('\n').filter(Boolean);
}

describe('test layout', () => {
  it('keeps every test file in a test/ folder of its area', () => {
    const files = trackedTestFiles();
    expect(files.length).toBeGreaterThan(100);
    const misplaced = files.filter((f) => !f.split('/').slice(0, -1).includes('test'));
    expect(misplaced).toEqual([]);
  });

  it('reserves top-level test/ for tests that span areas (no core/<area> folder names there)', () => {
    const topLevelFolders = new Set(trackedTestFiles().filter((f) => f.startsWith('test/')).map((f) => f.split('/')[1]));
    expect([...topLevelFolders].filter((d) => d === 'core' || d === 'plugins')).toEqual([]);
  });
});
