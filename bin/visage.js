#!/usr/bin/env node
// Visage runs from its TypeScript sources: register tsx's loader, then start the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../core/cli/main.ts');

// An error that escapes every boundary still ends as one coded line, never a raw stack trace.
// While a batch runs its own guard contains such errors (then there are two listeners); after the
// command, plugin code may leave a timer or a rejected promise behind: reported, the rows stand.
let finished = false;
const escaped = (event, what) => (e) => {
  if (process.listenerCount(event) > 1) return;
  const text = e instanceof Error ? e.message : String(e);
  if (finished) {
    process.stderr.write(`visage: contained ${what} from plugin code: ${text}\n`);
    return;
  }
  process.stderr.write(`visage: INTERNAL_ERROR: unexpected error: ${text}\n  hint: this is a bug in Visage (or a plugin); rerun with --log-level debug and report it\n`);
  process.exit(1);
};
process.on('uncaughtException', escaped('uncaughtException', 'an uncaught exception'));
process.on('unhandledRejection', escaped('unhandledRejection', 'an unhandled promise rejection'));
process.exitCode = await main(process.argv);
finished = true;
// The command is done and its output written. A handle that plugin code left open (a socket, a
// timer of a stuck provider) must not keep the process alive: give pending writes a moment, then go.
setTimeout(() => process.exit(), 2000).unref();
