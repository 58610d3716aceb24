/** One problem found in a plugin manifest: who, where (JSON pointer), what, and how to fix it. */
export interface ManifestProblem {
  severity: 'error' | 'warning';
  /** `publisher.name` when readable, else the folder name. */
  plugin: string;
  /** JSON pointer into the manifest ('' is the whole document). */
  pointer: string;
  message: string;
  hint: string;
  /** 1-based line and column, for JSON syntax errors. */
  line?: number;
  column?: number;
}

export function formatProblem(p: ManifestProblem, file?: string): string {
  const where = file ? `${file}${p.line ? `:${p.line}:${p.column}` : ''} ` : '';
  return `[${p.plugin}] ${p.severity}: ${where}at ${p.pointer || '/'}: ${p.message}\n    hint: ${p.hint}`;
}
