/**
 * Every call into plugin code is raced against a deadline and an abort signal, so a promise that
 * never settles costs one clip (an error row with a code) instead of hanging the batch, and Ctrl-C
 * ends a clip at once even when its plugin ignores the signal.
 */
export interface GuardOptions {
  /** 0 or Infinity: no deadline. */
  ms: number;
  signal?: AbortSignal;
  onTimeout: () => Error;
  onAbort: (reason: unknown) => Error;
}

export function guard<T>(work: Promise<T>, opts: GuardOptions): Promise<T> {
  const { ms, signal } = opts;
  // The work may settle after we gave up on it; its late rejection must not become an unhandled one.
  work.catch(() => {});
  if (signal?.aborted) return Promise.reject(opts.onAbort(signal.reason));
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      cleanup();
      reject(opts.onAbort(signal!.reason));
    };
    if (Number.isFinite(ms) && ms > 0) {
      timer = setTimeout(() => {
        cleanup();
        reject(opts.onTimeout());
      }, ms);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => (cleanup(), resolve(v)),
      (e) => (cleanup(), reject(e)),
    );
  });
}
