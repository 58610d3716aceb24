import { redactSecrets } from '../errors/redact-secrets.ts';

/** A Redis URL with its credentials hidden, for anything printed or logged (the one redaction of core/errors). */
export function redactUrl(url: string): string {
  return redactSecrets(url);
}

/**
 * A password given on the command line shows in `ps` to every user of the machine; when `url` has
 * credentials and came in through argv, the process list shows `title` instead of the arguments.
 */
export function hideFromProcessList(url: string, title: string): void {
  if (redactUrl(url) !== url && process.argv.includes(url)) process.title = title;
}
