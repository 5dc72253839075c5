// HTTP client for /api/v1: session cookie + X-CSRF-Token on writes, problem+json into ApiError.
import { localizeServerMessage } from './serverMessages';

const CSRF_KEY = 'voronka.csrf';

let csrfToken: string | null = readCsrf();

function readCsrf(): string | null {
  try {
    return sessionStorage.getItem(CSRF_KEY);
  } catch {
    return null;
  }
}

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
  try {
    if (token) sessionStorage.setItem(CSRF_KEY, token);
    else sessionStorage.removeItem(CSRF_KEY);
  } catch {
    /* storage may be unavailable (private mode); memory copy is enough */
  }
}

export type FieldErrors = Record<string, string>;

export type Problem = {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field: string; message: string }[];
};

/** A failed request: status, the problem document, and per-field messages keyed by field name. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  readonly fieldErrors: FieldErrors;

  constructor(status: number, problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.fieldErrors = {};
    for (const e of problem.errors ?? []) {
      const key = e.field.startsWith('custom.') ? e.field.slice(7) : e.field;
      const message = localizeServerMessage(e.message);
      this.fieldErrors[key] = this.fieldErrors[key] ? `${this.fieldErrors[key]}; ${message}` : message;
    }
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();

/** Called when any request answers 401, so the app can return to the sign-in screen. */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function buildQuery(query?: Query): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.append(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export type RequestOptions = {
  body?: unknown;
  query?: Query;
  ifMatch?: number | string;
  signal?: AbortSignal;
  idempotencyKey?: string;
  /** Set on the one retry after a refused CSRF token was renewed. */
  csrfRetried?: boolean;
};

export type ApiResponse<T> = { data: T; status: number; etag: string | null };

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (opts.ifMatch !== undefined) headers['If-Match'] = `"${opts.ifMatch}"`;
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  const url = `/api/v1${path}${buildQuery(opts.query)}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'network', detail: (e as Error).message });
  }
  const text = await res.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { detail: text };
    }
  }
  if (!res.ok) {
    // A tab whose token went stale (another sign-in, an expired session elsewhere) takes a fresh
    // one from GET /me where the server hands it out, and repeats the write once: the refused
    // request wrote nothing.
    if (res.status === 403 && method !== 'GET' && !opts.csrfRetried && /csrf/i.test((parsed as Problem | null)?.detail ?? '')) {
      if (await renewCsrf()) return request<T>(method, path, { ...opts, csrfRetried: true });
    }
    if (res.status === 401 && !path.startsWith('/auth/login')) {
      for (const l of unauthenticatedListeners) l();
    }
    throw new ApiError(res.status, (parsed as Problem) ?? {});
  }
  return { data: parsed as T, status: res.status, etag: res.headers.get('ETag') };
}

async function renewCsrf(): Promise<boolean> {
  try {
    const res = await fetch('/api/v1/me', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (!res.ok) return false;
    const me = (await res.json()) as { csrf_token?: unknown };
    if (typeof me.csrf_token !== 'string' || !me.csrf_token || me.csrf_token === csrfToken) return false;
    setCsrfToken(me.csrf_token);
    return true;
  } catch {
    return false;
  }
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) =>
    request<T>('GET', path, { query, signal }).then((r) => r.data),
  post: <T>(path: string, body: unknown = {}, opts: Omit<RequestOptions, 'body'> = {}) =>
    request<T>('POST', path, { ...opts, body }).then((r) => r.data),
  patch: <T>(path: string, body: unknown, opts: Omit<RequestOptions, 'body'> = {}) =>
    request<T>('PATCH', path, { ...opts, body }).then((r) => r.data),
  del: (path: string, opts: Omit<RequestOptions, 'body'> = {}) => request<null>('DELETE', path, opts).then(() => undefined),
};

/** Turns `version` from an ETag header ("3" or W/"3") into a number. */
export function versionFromEtag(etag: string | null): number | undefined {
  if (!etag) return undefined;
  const m = /(\d+)/.exec(etag);
  return m ? Number(m[1]) : undefined;
}
