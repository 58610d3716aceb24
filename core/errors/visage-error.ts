/**
 * The one error type of Visage. Every user-facing failure carries a stable `code`,
 * the plugin and stage it came from when known, and a hint that says what to do next.
 * Factories live in `messages.ts`; do not subclass. Message and hint are stripped of credentials
 * when the error is made, so no row, log line or stack trace can carry them.
 */
import { redactSecrets } from './redact-secrets.ts';
export interface VisageErrorProps {
  code: string;
  message: string;
  hint?: string;
  plugin?: string;
  stage?: string;
  /** JSON pointer into a manifest or preset, for validation errors. */
  pointer?: string;
  /** File the problem is in (manifest, preset, clip). */
  file?: string;
  /** Exit code the CLI should use: 2 for bad input/config, 1 for run failures. */
  exitCode?: 1 | 2;
  cause?: unknown;
}

export class VisageError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly plugin?: string;
  readonly stage?: string;
  readonly pointer?: string;
  readonly file?: string;
  readonly exitCode: 1 | 2;

  constructor(props: VisageErrorProps) {
    super(redactSecrets(props.message), props.cause === undefined ? undefined : { cause: props.cause });
    this.name = 'VisageError';
    this.code = props.code;
    this.hint = props.hint === undefined ? undefined : redactSecrets(props.hint);
    this.plugin = props.plugin;
    this.stage = props.stage;
    this.pointer = props.pointer;
    this.file = props.file;
    this.exitCode = props.exitCode ?? 1;
  }

  /** One line for logs and JSONL rows: `[plugin] CODE: message (at pointer) hint`. */
  format(): string {
    const where = this.plugin ? `[${this.plugin}] ` : '';
    const at = this.pointer !== undefined ? ` (at ${this.pointer || '/'})` : '';
    const hint = this.hint ? `\n  hint: ${this.hint}` : '';
    return `${where}${this.code}: ${this.message}${at}${hint}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint && { hint: this.hint }),
      ...(this.plugin && { plugin: this.plugin }),
      ...(this.stage && { stage: this.stage }),
      ...(this.pointer !== undefined && { pointer: this.pointer }),
      ...(this.file && { file: this.file }),
    };
  }
}

export function isVisageError(e: unknown): e is VisageError {
  return e instanceof VisageError;
}

/** Wraps anything thrown by plugin code so it carries the plugin and stage (Rollup's logPluginError). */
export function wrapPluginError(e: unknown, plugin: string, stage: string): VisageError {
  if (e instanceof VisageError) {
    if (e.plugin && e.stage) return e;
    return new VisageError({
      code: e.code, message: e.message, hint: e.hint, pointer: e.pointer, file: e.file,
      exitCode: e.exitCode, plugin: e.plugin ?? plugin, stage: e.stage ?? stage, cause: e.cause,
    });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new VisageError({ code: 'PLUGIN_ERROR', message, plugin, stage, cause: e });
}
