/** `visage plugins list|validate|new`. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { formatProblem, pluginIdOf, readManifest } from '../../manifest/index.ts';
import { importPluginEntry } from '../../plugins/activate-plugin.ts';
import { isVisageError } from '../../errors/visage-error.ts';
import { discoverPlugins } from '../../plugins/discover.ts';
import { addHostFlags, hostFromFlags, type HostFlagValues } from '../host-flags.ts';
import { returnsExitCode, type CliIO } from '../cli-io.ts';
import { scaffoldPlugin } from '../scaffold-plugin.ts';

export function registerPluginsCommands(program: Command, io: CliIO): void {
  const plugins = program.command('plugins').summary('list, validate or create plugins');

  const list = plugins
    .command('list')
    .summary('list loaded and failed plugins')
    .option('--json', 'print JSON instead of a table');
  addHostFlags(list);
  list.action((flags: HostFlagValues & { json?: boolean }) => {
    const registry = hostFromFlags(flags).registry;
    if (flags.json) {
      io.out(JSON.stringify(registry.plugins.map((p) => ({ id: p.id, version: p.version ?? null, status: p.status, source: p.source, folder: p.folder, reason: p.reason ?? null, contributes: contributionSummary(p.manifest?.contributes) })), null, 2) + '\n');
      return;
    }
    for (const p of registry.plugins) {
      const head = `${p.status === 'loaded' ? 'loaded' : 'FAILED'}  ${p.id}${p.version ? `@${p.version}` : ''}  (${p.source})`;
      io.out(head + '\n');
      if (p.status === 'failed') io.out(`    reason: ${p.reason}\n`);
      const c = contributionSummary(p.manifest?.contributes);
      if (c.length) io.out(`    contributes: ${c.join(', ')}\n`);
    }
    io.out(`presets: ${registry.presetNames().join(', ') || '(none)'}\n`);
  });

  plugins
    .command('validate')
    .summary('validate the manifest of a plugin folder')
    .argument('<dir>', 'plugin folder (with package.json), or a folder of plugin folders')
    .option('--load', 'also import each entry module (no activate()), reporting syntax and import errors with file:line')
    .addHelpText('after', '\nExamples:\n  visage plugins validate ./my-plugin --load\n  visage plugins validate plugins')
    .action(returnsExitCode(async (dir: string, flags: { load?: boolean }) => {
      const abs = path.resolve(dir);
      const folders = existsSync(path.join(abs, 'package.json')) ? [abs] : discoverPlugins({ pluginDirs: [abs], builtins: false, projectDirs: [] }).map((f) => f.folder);
      if (folders.length === 0) {
        io.err(`visage: no package.json in ${dir} or its subfolders\n`);
        return 2;
      }
      let errors = 0;
      for (const folder of folders) {
        const r = readManifest(folder);
        const id = r.problems[0]?.plugin ?? pluginIdOf(r.raw) ?? path.basename(folder);
        for (const p of r.problems) io.out(formatProblem(p, path.relative(process.cwd(), r.file)) + '\n');
        let n = r.problems.filter((p) => p.severity === 'error').length;
        if (!n && flags.load && r.manifest) {
          try {
            await importPluginEntry(folder, r.manifest.main, id);
          } catch (e) {
            n++;
            io.out(`${isVisageError(e) ? e.format() : String(e)}\n`);
          }
        }
        errors += n;
        io.out(n ? `[${id}] invalid: ${n} error(s)\n` : `[${id}] ok\n`);
      }
      return errors ? 2 : 0;
    }));

  plugins
    .command('new')
    .summary('create a plugin scaffold that validates and has a passing test')
    .argument('<name>', 'package name, e.g. visage-plugin-brightness')
    .option('--publisher <id>', 'publisher id (first half of the plugin id)', 'my')
    .option('--dir <dir>', 'parent folder', '.')
    .action((name: string, flags: { publisher: string; dir: string }) => {
      const folder = scaffoldPlugin(path.resolve(flags.dir), name, flags.publisher);
      io.out(`created ${path.relative(process.cwd(), folder) || folder}\n  next: visage plugins validate ${path.relative(process.cwd(), folder)} && (cd ${path.relative(process.cwd(), folder)} && node --test)\n`);
    });
}

function contributionSummary(c: Record<string, unknown> | undefined): string[] {
  if (!c) return [];
  return Object.entries(c).flatMap(([point, v]) => (Array.isArray(v) ? v.map((x: { id?: string }) => `${point}:${x.id}`) : [point]));
}

