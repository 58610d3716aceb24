/**
 * A Redis URL with its credentials hidden, for anything printed or logged: `redis://USER:PASS@host`
 * becomes `redis://***@host`. (A general redactSecrets() is coming in core/errors; this one is
 * local to the queue until they are unified.)
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1***@');
}
