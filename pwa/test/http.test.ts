import { describe, expect, it } from 'vitest';
import { ApiError, createHttp, OfflineError, SESSION_KEY, type KeyValueStorage, type Session } from '../src/data/http';

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

const staff = { staff_id: 's1', name: '王店長', role: 'owner' as const };
const shop = { shop_id: 'demo', name: '順安汽車保養廠' };
const session = (n: number): Session => ({
  access_token: `access-${n}`, refresh_token: `refresh-${n}`, expires_in: 900, staff, shop,
});

interface Call { method: string; path: string; auth: string | null; language: string | null; body: unknown }

/** A fake API: `routes` answers each call; every call is recorded. */
function fakeApi(routes: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    const call = {
      method: init?.method ?? 'GET', path: String(input), auth: headers.get('Authorization'),
      language: headers.get('Accept-Language'), body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
    calls.push(call);
    return routes(call);
  }) as typeof fetch;
  return { calls, fetchImpl };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const error = (status: number, code: string, message: string) => json(status, { error: { code, message } });

describe('sign-in and tokens', () => {
  it('keeps the access token in memory only and the refresh token in storage', async () => {
    const storage = memoryStorage();
    const api = fakeApi(() => json(200, session(1)));
    const http = createHttp({ fetch: api.fetchImpl, storage, language: () => 'zh-TW' });
    await http.signIn('owner@demo.servicelane.tw', 'secret');

    expect(api.calls[0]).toMatchObject({
      method: 'POST', path: '/api/auth/sign-in', auth: null, language: 'zh-TW',
      body: { login: 'owner@demo.servicelane.tw', password: 'secret' },
    });
    const stored = storage.data.get(SESSION_KEY)!;
    expect(JSON.parse(stored)).toEqual({ refresh_token: 'refresh-1', staff, shop });
    expect(stored).not.toContain('access-1');
    expect(http.current.value?.staff.name).toBe('王店長');
  });

  it('shows the API error of a refused sign-in, asked in the chosen language', async () => {
    let language = 'en';
    const api = fakeApi(() => error(401, 'invalid_credentials', 'Wrong login or password'));
    const http = createHttp({ fetch: api.fetchImpl, storage: memoryStorage(), language: () => language });
    const refused = http.signIn('0912345678', 'nope');
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({ status: 401, code: 'invalid_credentials', message: 'Wrong login or password' });
    expect(api.calls[0]!.language).toBe('en');
    language = 'zh-TW';
    await http.signIn('x', 'y').catch(() => undefined);
    expect(api.calls[1]!.language).toBe('zh-TW');
    expect(http.current.value).toBeNull();
  });

  it('sends the bearer token, and on a 401 refreshes once and repeats the request', async () => {
    let valid = 'access-1';
    const api = fakeApi((call) => {
      if (call.path === '/api/auth/sign-in') return json(200, session(1));
      if (call.path === '/api/auth/refresh') {
        valid = 'access-2';
        return json(200, session(2));
      }
      return call.auth === `Bearer ${valid}` ? json(200, { ok: true }) : error(401, 'unauthorized', 'expired');
    });
    const storage = memoryStorage();
    const http = createHttp({ fetch: api.fetchImpl, storage, language: () => 'zh-TW' });
    await http.signIn('a', 'b');
    expect(await http.request('GET', '/api/board')).toEqual({ ok: true });
    valid = 'expired-by-server';

    expect(await http.request('GET', '/api/board')).toEqual({ ok: true });
    expect(api.calls.map((c) => `${c.path} ${c.auth ?? ''}`)).toEqual([
      '/api/auth/sign-in ',
      '/api/board Bearer access-1',
      '/api/board Bearer access-1',
      '/api/auth/refresh ',
      '/api/board Bearer access-2',
    ]);
    expect(api.calls[3]!.body).toEqual({ refresh_token: 'refresh-1' });
    expect(JSON.parse(storage.data.get(SESSION_KEY)!).refresh_token).toBe('refresh-2');
  });

  it('refreshes only once for requests that fail together (the old refresh token dies on use)', async () => {
    let refreshes = 0;
    const api = fakeApi((call) => {
      if (call.path === '/api/auth/refresh') return json(200, session(++refreshes + 1));
      return call.auth === 'Bearer access-2' ? json(200, { path: call.path }) : error(401, 'unauthorized', 'expired');
    });
    const storage = memoryStorage();
    storage.setItem(SESSION_KEY, JSON.stringify({ refresh_token: 'refresh-1', staff, shop }));
    const http = createHttp({ fetch: api.fetchImpl, storage, language: () => 'zh-TW' });

    // After a reload there is no access token: the first requests refresh before asking.
    const answers = await Promise.all(['/api/board', '/api/staff', '/api/jobs'].map((p) => http.request('GET', p)));
    expect(answers).toEqual([{ path: '/api/board' }, { path: '/api/staff' }, { path: '/api/jobs' }]);
    expect(refreshes).toBe(1);
  });

  it('signs out when the refresh is refused, and does not loop', async () => {
    const api = fakeApi((call) =>
      call.path === '/api/auth/refresh' ? error(401, 'unauthorized', 'revoked') : error(401, 'unauthorized', 'expired'));
    const storage = memoryStorage();
    storage.setItem(SESSION_KEY, JSON.stringify({ refresh_token: 'old', staff, shop }));
    const http = createHttp({ fetch: api.fetchImpl, storage, language: () => 'zh-TW' });
    await expect(http.request('GET', '/api/board')).rejects.toMatchObject({ status: 401 });
    expect(api.calls.map((c) => c.path)).toEqual(['/api/auth/refresh']);
    expect(http.current.value).toBeNull();
    expect(storage.data.has(SESSION_KEY)).toBe(false);
  });

  it('keeps the session when the network is down, and says offline', async () => {
    const failing = (async () => { throw new TypeError('Failed to fetch'); }) as typeof fetch;
    const storage = memoryStorage();
    storage.setItem(SESSION_KEY, JSON.stringify({ refresh_token: 'r', staff, shop }));
    const http = createHttp({ fetch: failing, storage, language: () => 'zh-TW' });
    await expect(http.request('GET', '/api/board')).rejects.toBeInstanceOf(OfflineError);
    expect(http.current.value?.refresh_token).toBe('r');
  });

  it('signs out here even when the server cannot be told', async () => {
    const api = fakeApi((call) => (call.path === '/api/auth/sign-in' ? json(200, session(1)) : new Response(null, { status: 204 })));
    const storage = memoryStorage();
    const http = createHttp({ fetch: api.fetchImpl, storage, language: () => 'zh-TW' });
    await http.signIn('a', 'b');
    await http.signOut();
    expect(api.calls[1]).toMatchObject({ path: '/api/auth/sign-out', body: { refresh_token: 'refresh-1' } });
    expect(http.current.value).toBeNull();
    expect(storage.data.has(SESSION_KEY)).toBe(false);
    expect(http.hasAccessToken()).toBe(false);
  });

  it('reads an error page that is not the API JSON as a plain HTTP error', async () => {
    const api = fakeApi(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    const http = createHttp({ fetch: api.fetchImpl, storage: memoryStorage(), language: () => 'en' });
    await expect(http.open('POST', '/api/auth/sign-in', {})).rejects.toMatchObject({ status: 502, code: 'http_502' });
  });
});
