// A small keyed cache for GET requests: components share one request per key, mutations
// invalidate keys by prefix, and subscribed keys refetch.
import { useCallback, useEffect, useReducer } from 'react';

type Entry = {
  data?: unknown;
  error?: unknown;
  loading: boolean;
  promise?: Promise<unknown>;
  fetcher: () => Promise<unknown>;
  listeners: Set<() => void>;
  loadedAt: number;
};

const FRESH_MS = 3000;

const cache = new Map<string, Entry>();

function notify(entry: Entry): void {
  for (const l of entry.listeners) l();
}

function load(key: string, entry: Entry): Promise<unknown> {
  entry.loading = true;
  const promise = entry.fetcher().then(
    (data) => {
      if (entry.promise === promise) {
        entry.data = data;
        entry.error = undefined;
        entry.loading = false;
        entry.loadedAt = Date.now();
        notify(entry);
      }
      return data;
    },
    (error: unknown) => {
      if (entry.promise === promise) {
        entry.error = error;
        entry.loading = false;
        notify(entry);
      }
      throw error;
    },
  );
  entry.promise = promise;
  promise.catch(() => undefined);
  cache.set(key, entry);
  notify(entry);
  return promise;
}

export type Resource<T> = {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => Promise<unknown>;
  mutate: (update: (current: T | undefined) => T | undefined) => void;
};

export function useResource<T>(key: string | null, fetcher: () => Promise<T>): Resource<T> {
  const [, force] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!key) return undefined;
    let entry = cache.get(key);
    if (!entry) {
      entry = { loading: false, fetcher, listeners: new Set(), loadedAt: 0 };
      cache.set(key, entry);
    }
    entry.fetcher = fetcher;
    entry.listeners.add(force);
    // Show cached data at once and refresh it in the background when it is not fresh.
    if (!entry.loading && (entry.data === undefined || Date.now() - entry.loadedAt > FRESH_MS)) {
      void load(key, entry).catch(() => undefined);
    }
    force();
    return () => {
      entry?.listeners.delete(force);
    };
    // The fetcher is keyed: a new key means a new request, the same key the same data.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const entry = key ? cache.get(key) : undefined;
  const reload = useCallback(() => {
    const e = key ? cache.get(key) : undefined;
    return key && e ? load(key, e).catch(() => undefined) : Promise.resolve();
  }, [key]);
  const mutate = useCallback(
    (update: (current: T | undefined) => T | undefined) => {
      const e = key ? cache.get(key) : undefined;
      if (!e) return;
      e.data = update(e.data as T | undefined);
      notify(e);
    },
    [key],
  );
  return {
    data: entry?.data as T | undefined,
    error: entry?.error,
    loading: !entry || (entry.loading && entry.data === undefined),
    reload,
    mutate,
  };
}

/** Drops cached data for keys starting with `prefix`; keys that are on screen refetch. */
export function invalidate(prefix: string): void {
  for (const [key, entry] of cache) {
    if (!key.startsWith(prefix)) continue;
    if (entry.listeners.size > 0) void load(key, entry).catch(() => undefined);
    else cache.delete(key);
  }
}

export function clearCache(): void {
  cache.clear();
}
