/**
 * What every command module shares with `main`: where output goes, and how an action's exit code
 * reaches `main`. Kept apart from main.ts so that commands never import the module that imports them.
 */
import type { Command } from 'commander';

export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** A command action that resolves to its exit code (void: 0). */
type CodedAction<A extends unknown[]> = (...args: A) => number | void | Promise<number | void>;

const EXIT_CODE = Symbol('visage.exitCode');
type Root = Command & { [EXIT_CODE]?: number };

const rootOf = (cmd: Command): Root => (cmd.parent ? rootOf(cmd.parent) : cmd);

/**
 * Adapts an action that returns its exit code to commander, which discards what actions return:
 * the code is kept on the root command, where `exitCodeOf` reads it. Commander passes the command
 * itself as the last argument.
 */
export function returnsExitCode<A extends unknown[]>(action: CodedAction<A>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const code = (await action(...args)) ?? 0;
    const root = rootOf(args[args.length - 1] as Command);
    root[EXIT_CODE] = Math.max(root[EXIT_CODE] ?? 0, code);
  };
}

/** The exit code the command that ran returned (0 when it returned none). */
export function exitCodeOf(program: Command): number {
  return (program as Root)[EXIT_CODE] ?? 0;
}
