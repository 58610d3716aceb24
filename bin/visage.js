#!/usr/bin/env node
// Visage runs from its TypeScript sources: register tsx's loader, then start the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../core/cli/main.ts');
process.exitCode = await main(process.argv);
