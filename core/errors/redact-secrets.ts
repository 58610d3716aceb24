/**
 * One place that removes credentials from anything Visage prints: error messages and rows, logs and
 * `pipeline explain`. A URL's `user:password@`, Authorization header values and key-like parameters
 * are recognised by shape; secrets known at run time (an API key read from the environment) are
 * registered by whoever reads them and removed wherever they appear, e.g. quoted back by a server.
 */

const registered = new Set<string>();

/** Remembers a secret value so it is redacted everywhere from now on (values under 4 characters are ignored). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) registered.add(value);
}

const REDACTED = '***';
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;
const AUTH_SCHEME = /\b(Bearer|Basic|Token|Digest)\s+[A-Za-z0-9._~+/=-]{4,}/gi;
const KEY_VALUE = /\b((?:api[_-]?key|x-api-key|access[_-]?token|auth[_-]?token|token|secret|password|passwd)["']?\s*[=:]\s*["']?)[^\s"'&,;}\]]+/gi;
const OPENAI_KEY = /\bsk-[A-Za-z0-9_-]{8,}/g;

export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of registered) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
    .replace(KEY_VALUE, `$1${REDACTED}`)
    .replace(OPENAI_KEY, `sk-${REDACTED}`);
}

/** Option keys whose whole value is a secret (`apiKey`, `password`, ...), for dumps of configuration. */
export function isSecretKey(key: string): boolean {
  return /^(api[_-]?key|x-api-key|access[_-]?token|auth[_-]?token|token|secret|password|passwd|authorization)$/i.test(key);
}
