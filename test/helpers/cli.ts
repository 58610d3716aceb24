/** Runs the visage CLI in-process and captures its output and exit code. */
import { main } from '../../core/cli/main.ts';

export async function runCli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'visage', ...args], { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

export const FIXTURE_PLUGINS = new URL('../fixtures/plugins', import.meta.url).pathname;
