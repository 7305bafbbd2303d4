// Signed-in requests to the API: the access token (memory only), the refresh token
// (localStorage, so a reload stays signed in), one refresh on a 401, and errors as values a
// screen can show: the API's own `{"error": {"code", "message"}}`, or "no network".
import { signal, type Signal } from '@preact/signals';

export interface Staff {
  staff_id: string;
  name: string;
  role: 'owner' | 'manager' | 'advisor' | 'technician';
  mobile?: string;
  email?: string;
  active?: boolean;
  has_pin?: boolean;
}
export interface Shop { shop_id: string; name: string }
export interface Session {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  staff: Staff;
  shop: Shop;
}
/** What survives a reload: never the access token. */
export interface SavedSession { refresh_token: string; staff: Staff; shop: Shop }

/** An answer from the API that is not a success. */
export class ApiError extends Error {
  /**
   * @param retryAfter the seconds the API asked to wait before trying again (its `Retry-After`
   *   header, sent with 503 and 429), when it said.
   */
  constructor(readonly status: number, readonly code: string, message: string, readonly retryAfter?: number) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A `Retry-After` header in seconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  const text = header?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** No answer at all: the network is down or the server unreachable. */
export class OfflineError extends Error {
  constructor() {
    super('offline');
    this.name = 'OfflineError';
  }
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export const SESSION_KEY = 'servicelane.session';
const TIMEOUT_MS = 15_000;

export interface HttpOptions {
  fetch?: typeof fetch;
  storage: KeyValueStorage | null;
  /** The chosen UI language, sent as Accept-Language so error messages come back in it. */
  language: () => string;
}

async function readError(response: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    const { code, message } = body.error ?? {};
    if (typeof code === 'string' && typeof message === 'string') {
      return new ApiError(response.status, code, message, retryAfter);
    }
  } catch {
    // not JSON: a proxy's page, for instance
  }
  return new ApiError(response.status, `http_${response.status}`, `HTTP ${response.status}`, retryAfter);
}

export function createHttp(options: HttpOptions) {
  const fetchImpl = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const storage = options.storage;

  function load(): SavedSession | null {
    try {
      const raw = storage?.getItem(SESSION_KEY);
      const saved = raw ? (JSON.parse(raw) as SavedSession) : null;
      return saved && typeof saved.refresh_token === 'string' && saved.staff ? saved : null;
    } catch {
      return null;
    }
  }

  function save(saved: SavedSession | null): void {
    try {
      if (saved) storage?.setItem(SESSION_KEY, JSON.stringify(saved));
      else storage?.removeItem(SESSION_KEY);
    } catch {
      // storage refused: the session lasts this visit only
    }
  }

  let accessToken: string | null = null;
  /** Who is signed in (null: nobody). Screens read it; only this module writes it. */
  const current: Signal<SavedSession | null> = signal(load());
  let refreshing: Promise<void> | null = null;

  function adopt(session: Session): void {
    accessToken = session.access_token;
    const saved = { refresh_token: session.refresh_token, staff: session.staff, shop: session.shop };
    save(saved);
    current.value = saved;
  }

  function forget(): void {
    accessToken = null;
    save(null);
    current.value = null;
  }

  /** One HTTP exchange, no token logic. */
  async function exchange(method: Method, path: string, body: unknown, token: string | null): Promise<Response> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'Accept-Language': options.language(),
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    try {
      return await fetchImpl(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw new OfflineError();
    }
  }

  async function parse<T>(response: Response): Promise<T> {
    if (!response.ok) throw await readError(response);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A request that needs no sign-in (sign-in itself, device and PIN sign-in). */
  async function open<T>(method: Method, path: string, body?: unknown): Promise<T> {
    return parse<T>(await exchange(method, path, body, null));
  }

  /**
   * Swap the refresh token for a new session. Concurrent callers share one call, because the
   * old refresh token stops working once used. A refusal signs out; no network keeps the tokens.
   */
  function refresh(): Promise<void> {
    refreshing ??= (async () => {
      const saved = current.value;
      if (!saved) throw new ApiError(401, 'unauthorized', 'not signed in');
      try {
        adopt(await open<Session>('POST', '/api/auth/refresh', { refresh_token: saved.refresh_token }));
      } catch (error) {
        if (error instanceof ApiError && error.status >= 400 && error.status < 500) forget();
        throw error;
      }
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  /** A signed-in exchange: refreshes first after a reload, and once more on a 401. */
  async function signedIn(method: Method, path: string, body?: unknown): Promise<Response> {
    if (!accessToken && current.value) await refresh();
    const used = accessToken;
    let response = await exchange(method, path, body, used);
    if (response.status === 401 && current.value) {
      // Another request may have refreshed already while this one was under way.
      if (accessToken === used) await refresh();
      response = await exchange(method, path, body, accessToken);
    }
    return response;
  }

  async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    return parse<T>(await signedIn(method, path, body));
  }

  /** A signed-in GET of a file the API answers itself (a CSV): its bytes, or the API's error. */
  async function file(path: string): Promise<Blob> {
    const response = await signedIn('GET', path);
    if (!response.ok) throw await readError(response);
    return response.blob();
  }

  async function signIn(login: string, password: string): Promise<Session> {
    const session = await open<Session>('POST', '/api/auth/sign-in', { login, password });
    adopt(session);
    return session;
  }

  /** Start a session from an answer of a sign-in route (password or PIN). */
  function begin(session: Session): void {
    adopt(session);
  }

  /** Sign out here at once; tell the server when it can be reached (its refresh token dies). */
  async function signOut(): Promise<void> {
    const saved = current.value;
    forget();
    if (!saved) return;
    try {
      await open('POST', '/api/auth/sign-out', { refresh_token: saved.refresh_token });
    } catch {
      // offline or already invalid: the token is gone from this device either way
    }
  }

  return {
    current,
    request,
    file,
    open,
    refresh,
    signIn,
    begin,
    signOut,
    hasAccessToken: () => accessToken !== null,
  };
}

export type Http = ReturnType<typeof createHttp>;
