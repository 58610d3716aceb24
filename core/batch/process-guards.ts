/**
 * While a batch runs, plugin code cannot end the process behind the host's back: process.exit()
 * throws a PLUGIN_CALLED_EXIT error inside the plugin (so it fails that clip), and an unhandled
 * rejection or an exception thrown from a plugin's timer is reported instead of killing the batch.
 */
import * as errors from '../errors/messages.ts';

const realExit = process.exit.bind(process);

/** The host's own way out; plugin code sees the guarded process.exit while a batch runs. */
export function hostExit(code: number): never {
  return realExit(code);
}

export interface ProcessGuard {
  /** Errors that escaped plugin code and were contained. */
  readonly escaped: string[];
  release(): void;
}

export function guardProcess(report: (line: string) => void): ProcessGuard {
  const escaped: string[] = [];
  const onEscaped = (what: string) => (e: unknown) => {
    const text = e instanceof Error ? e.message : String(e);
    escaped.push(text);
    report(`visage: contained ${what} from plugin code: ${text}`);
  };
  const onRejection = onEscaped('an unhandled promise rejection');
  const onException = onEscaped('an uncaught exception');
  const guardedExit = process.exit;
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  process.exit = ((code?: number) => {
    throw errors.pluginCalledExit(code);
  }) as typeof process.exit;
  return {
    escaped,
    release() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
      process.exit = guardedExit;
    },
  };
}
