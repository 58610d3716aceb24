/**
 * The `visage` command line. Exit codes: 0 success, 1 a run failure (including any failed clip),
 * 2 bad invocation or invalid config/manifest.
 */
import { Command, CommanderError } from 'commander';
import { isVisageError } from '../errors/visage-error.ts';
import { internalError } from '../errors/messages.ts';
import { redactSecrets } from '../errors/redact-secrets.ts';
import { HOST_VERSION } from '../version.ts';
import { registerPipelineCommands } from './commands/pipeline.ts';
import { registerPluginsCommands } from './commands/plugins.ts';
import { registerPluginCommands } from './commands/plugin-commands.ts';
import { registerEvalCommand } from './commands/eval.ts';
import { registerCompareCommand } from './commands/compare.ts';
import { registerAblateCommand } from './commands/ablate.ts';
import { registerWorkerCommand } from './commands/worker.ts';
import { discoverPlugins } from '../plugins/discover.ts';
import { PluginRegistry } from '../plugins/plugin-registry.ts';
import { exitCodeOf, type CliIO } from './cli-io.ts';
import { applyHeapGrowth } from './heap-growth.ts';

export type { CliIO } from './cli-io.ts';

const defaultIO: CliIO = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export function buildProgram(io: CliIO = defaultIO, argv: string[] = []): Command {
  const program = new Command('visage')
    .description('Dynamic facial expression recognition from video: a plugin host for FineCLIPER and HESP.')
    .version(HOST_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  registerPipelineCommands(program, io);
  registerPluginsCommands(program, io);
  registerEvalCommand(program, io);
  registerCompareCommand(program, io);
  registerAblateCommand(program, io);
  registerWorkerCommand(program, io);
  // Plugin commands are known from manifests alone; --plugin-dir must be read before parsing to find them.
  registerPluginCommands(program, new PluginRegistry(discoverPlugins({ pluginDirs: pluginDirsIn(argv) })), io, (args) => main(['node', 'visage', ...args], io));
  return program;
}

/** Runs the CLI and returns the exit code (never calls process.exit, so tests can call it in-process). */
export async function main(argv: string[], io: CliIO = defaultIO): Promise<number> {
  argv = expandAliases(argv);
  const program = buildProgram(io, argv);
  try {
    applyHeapGrowth();
    await program.parseAsync(argv);
    return exitCodeOf(program);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (isVisageError(e)) {
      io.err(`visage: ${e.format()}\n`);
      return e.exitCode;
    }
    // Not a VisageError: a bug, or something thrown from a place no boundary covers. Still coded.
    const err = internalError(e instanceof Error ? e.message : String(e), e);
    io.err(`visage: ${err.format()}\n`);
    if (argv.includes('--log-level') && argv[argv.indexOf('--log-level') + 1] === 'debug') io.err(`${redactSecrets(String((e as Error)?.stack ?? e))}\n`);
    return 1;
  }
}

function pluginDirsIn(argv: string[]): string[] {
  const dirs: string[] = [];
  argv.forEach((a, i) => {
    if (a === '--plugin-dir' && argv[i + 1]) dirs.push(argv[i + 1]);
    else if (a.startsWith('--plugin-dir=')) dirs.push(a.slice('--plugin-dir='.length));
  });
  return dirs;
}

/**
 * `visage eval --open-set ...` runs the open-set plugin's `open-set eval` (HESP's protocol trains and
 * scores every draw, so it belongs to that plugin; the alias keeps the spelling users expect).
 */
function expandAliases(argv: string[]): string[] {
  if (argv[2] === 'eval' && argv.includes('--open-set')) return [...argv.slice(0, 2), 'open-set', 'eval', ...argv.slice(3).filter((a) => a !== '--open-set')];
  return argv;
}
