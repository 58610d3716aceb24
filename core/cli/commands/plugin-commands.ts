/**
 * CLI commands contributed by plugins (`contributes.commands`): declared in the manifest, so they
 * appear in `visage --help` without loading plugin code; the plugin is activated only when one runs.
 */
import { Command } from 'commander';
import type { PluginRegistry } from '../../plugins/plugin-registry.ts';
import { addHostFlags, collect, hostFromFlags, type HostFlagValues } from '../host-flags.ts';
import { returnsExitCode, type CliIO } from '../cli-io.ts';

/** `visage` runs a command line in this process (main() itself, passed in so this module need not import main.ts). */
export function registerPluginCommands(program: Command, registry: PluginRegistry, io: CliIO, visage: (args: string[]) => Promise<number>): void {
  for (const plugin of registry.loaded()) {
    for (const c of plugin.manifest!.contributes?.commands ?? []) {
      const words = c.id.split(' ');
      let parent = program;
      for (const word of words.slice(0, -1)) {
        parent = parent.commands.find((x) => x.name() === word) ?? parent.command(word).summary(`${word} commands`);
      }
      if (parent.commands.some((x) => x.name() === words[words.length - 1])) continue; // first plugin wins
      const cmd = parent.command(words[words.length - 1]).summary(c.title).description(`${c.description ?? c.title}\n(contributed by ${plugin.id})`);
      for (const a of c.arguments ?? []) cmd.argument(`${a.required ? '<' : '['}${a.name}${a.variadic ? '...' : ''}${a.required ? '>' : ']'}`, a.description ?? '');
      for (const o of c.options ?? []) {
        // --set means the same in every command: repeatable, one path=value each (as in pipeline run).
        if (/^--set\b/.test(o.flags)) cmd.option('--set <path=value>', o.description ?? 'override one preset value (repeatable)', collect, []);
        else cmd.option(o.flags, o.description ?? '', o.default as string | boolean | string[] | undefined);
      }
      addHostFlags(cmd);
      cmd.action(returnsExitCode(async (...params: unknown[]) => {
        const self = params[params.length - 1] as Command;
        const flags = self.opts() as HostFlagValues & Record<string, unknown>;
        const args = Object.fromEntries((c.arguments ?? []).map((a, i) => [a.name, params[i]]));
        const host = hostFromFlags(flags);
        try {
          const handler = await host.commandHandler(plugin.id, c.id);
          return await handler({ host, settings: host.settings, args, options: flags, out: io.out, err: io.err, visage });
        } finally {
          await host.dispose();
        }
      }));
    }
  }
}
