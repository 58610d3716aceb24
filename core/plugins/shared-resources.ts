/** A memo of promises keyed by string: the first caller creates, every later caller awaits the same value. */
export class SharedResources {
  private readonly entries = new Map<string, Promise<unknown>>();

  get<T>(key: string, create: () => Promise<T>): Promise<T> {
    let p = this.entries.get(key) as Promise<T> | undefined;
    if (!p) {
      p = create();
      // A failed creation is not cached, so a later run can retry (e.g. after the user fixes a path).
      p.catch(() => this.entries.delete(key));
      this.entries.set(key, p);
    }
    return p;
  }

  async disposeAll(): Promise<void> {
    const values = await Promise.allSettled(this.entries.values());
    this.entries.clear();
    for (const v of values) {
      const r = v.status === 'fulfilled' ? (v.value as { release?: () => unknown; dispose?: () => unknown }) : undefined;
      await (r?.release?.() ?? r?.dispose?.());
    }
  }
}
