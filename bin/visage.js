#!/usr/bin/env node
// Visage runs from its TypeScript sources: register tsx's loader, then start the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../core/cli/main.ts');
// Plugin code can leave a timer or a rejected promise behind that fires after its batch ended. The
// rows are written by then; report it on stderr instead of ending with a stack trace.
const contained = (what) => (e) => process.stderr.write(`visage: contained ${what} from plugin code: ${e instanceof Error ? e.message : String(e)}\n`);
process.on('uncaughtException', contained('an uncaught exception'));
process.on('unhandledRejection', contained('an unhandled promise rejection'));
process.exitCode = await main(process.argv);
// The command is done and its output written. A handle that plugin code left open (a socket, a
// timer of a stuck provider) must not keep the process alive: give pending writes a moment, then go.
setTimeout(() => process.exit(), 2000).unref();
