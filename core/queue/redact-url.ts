/**
 * A Redis URL with its credentials hidden, for anything printed or logged: `redis://USER:PASS@host`
 * becomes `redis://***@host`. (A general redactSecrets() is coming in core/errors; this one is
 * local to the queue until they are unified.)
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1***@');
}

/**
 * A password given on the command line shows in `ps` to every user of the machine; when `url` has
 * credentials and came in through argv, the process list shows `title` instead of the arguments.
 */
export function hideFromProcessList(url: string, title: string): void {
  if (redactUrl(url) !== url && process.argv.includes(url)) process.title = title;
}
