/** A prefixed logger writing to stderr, so stdout stays clean for JSON output. Credentials are redacted. */
import { redactSecrets } from '../errors/redact-secrets.ts';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  child(prefix: string): Logger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export function createLogger(level: LogLevel = 'warn', prefix = '', sink: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const min = ORDER.indexOf(level);
  const emit = (at: LogLevel, message: string) => {
    if (ORDER.indexOf(at) >= min) sink(`${prefix ? `[${prefix}] ` : ''}${at === 'info' ? '' : `${at}: `}${redactSecrets(message)}`);
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
    child: (p) => createLogger(level, prefix ? `${prefix}:${p}` : p, sink),
  };
}
