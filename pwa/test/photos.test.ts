import { describe, expect, it } from 'vitest';
import { ApiError, OfflineError } from '../src/data/http';
import { fitWithin, JPEG_QUALITY, MAX_SIDE_PX, sendPhoto } from '../src/data/photos';
import type { PhotoWrite, SendTools } from '../src/data/queue';

describe('downsizing a photo on the tablet', () => {
  it('brings a 12 MP landscape shot to 1600 px on its long side, keeping its shape', () => {
    expect(fitWithin(4000, 3000)).toEqual({ width: 1600, height: 1200 });
    expect(fitWithin(4032, 3024)).toEqual({ width: 1600, height: 1200 });
  });

  it('does the same for a portrait shot: the long side is the height', () => {
    expect(fitWithin(3024, 4032)).toEqual({ width: 1200, height: 1600 });
    expect(fitWithin(3000, 4000)).toEqual({ width: 1200, height: 1600 });
  });

  it('never enlarges a photo already small enough', () => {
    expect(fitWithin(800, 600)).toEqual({ width: 800, height: 600 });
    expect(fitWithin(1600, 1600)).toEqual({ width: 1600, height: 1600 });
  });

  it('rounds to whole pixels and keeps at least one pixel on a very thin panorama', () => {
    expect(fitWithin(4001, 3001)).toEqual({ width: 1600, height: 1200 });
    expect(fitWithin(10_000, 100)).toEqual({ width: 1600, height: 16 });
    expect(fitWithin(20_000, 2)).toEqual({ width: 1600, height: 1 });
  });

  it('takes another limit, and refuses a size that is no picture', () => {
    expect(fitWithin(4000, 3000, 320)).toEqual({ width: 320, height: 240 });
    expect(() => fitWithin(0, 100)).toThrow(RangeError);
    expect(() => fitWithin(Number.NaN, 100)).toThrow(RangeError);
  });

  it('aims at the sizes the API expects', () => {
    expect(MAX_SIDE_PX).toBe(1600);
    expect(JPEG_QUALITY).toBe(0.8);
  });
});

const photo = (extra: Partial<PhotoWrite> = {}): PhotoWrite => ({
  id: 'w-1', kind: 'photo', order_id: 'o-1', photo_id: 'p-1', subject: 'tyre.LF', content_type: 'image/jpeg',
  size: 3, queued_at: '2026-11-22T01:00:00Z', ...extra,
});

function fakeApi() {
  const calls: { method: string; path: string; body?: unknown }[] = [];
  const request = async <T,>(method: 'POST', path: string, body?: unknown): Promise<T> => {
    calls.push({ method, path, body });
    if (path.endsWith('/complete')) return { photo_id: 'p-1', thumb_url: 'http://s3/thumb' } as T;
    return { photo_id: 'p-1', upload: { url: 'http://s3/bucket', fields: { key: 'incoming/p-1', policy: 'abc' } } } as T;
  };
  return { calls, request };
}

function tools(blob: Blob | null = new Blob(['jpg'], { type: 'image/jpeg' })) {
  const marks: string[] = [];
  const t: SendTools = { blob: async () => blob ?? undefined, markUploaded: async () => void marks.push('uploaded') };
  return { t, marks };
}

describe('sending a queued photo', () => {
  it('asks for a presigned POST, posts the fields then the file, and completes', async () => {
    const api = fakeApi();
    const posted: FormData[] = [];
    const { t, marks } = tools();
    const answer = await sendPhoto(photo(), t, api.request, async (url, init) => {
      expect(url).toBe('http://s3/bucket');
      posted.push(init!.body as FormData);
      return new Response(null, { status: 204 });
    });
    expect(api.calls).toEqual([
      { method: 'POST', path: '/api/orders/o-1/photos', body: { photo_id: 'p-1', subject: 'tyre.LF', content_type: 'image/jpeg', size: 3 } },
      { method: 'POST', path: '/api/orders/o-1/photos/p-1/complete', body: undefined },
    ]);
    expect([...posted[0]!.keys()]).toEqual(['key', 'policy', 'file']);
    expect(marks).toEqual(['uploaded']);
    expect(answer).toMatchObject({ photo_id: 'p-1' });
  });

  it('keeps the photo queued when storage cannot be reached', async () => {
    const api = fakeApi();
    await expect(sendPhoto(photo(), tools().t, api.request, async () => { throw new TypeError('Failed to fetch'); }))
      .rejects.toBeInstanceOf(OfflineError);
    expect(api.calls.some((c) => c.path.endsWith('/complete'))).toBe(false);
  });

  it('asks for a fresh form once when storage says 403 (an expired form), then refuses', async () => {
    const api = fakeApi();
    let posts = 0;
    await sendPhoto(photo(), tools().t, api.request, async () => new Response(null, { status: ++posts === 1 ? 403 : 204 }));
    expect(api.calls.filter((c) => c.path === '/api/orders/o-1/photos')).toHaveLength(2);

    const refused = sendPhoto(photo(), tools().t, fakeApi().request, async () => new Response(null, { status: 403 }));
    await expect(refused).rejects.toMatchObject({ status: 403 });
  });

  it('only completes a photo whose bytes were uploaded on an earlier try', async () => {
    const api = fakeApi();
    await sendPhoto(photo({ uploaded: true }), tools(null).t, api.request, async () => {
      throw new Error('must not post again');
    });
    expect(api.calls.map((c) => c.path)).toEqual(['/api/orders/o-1/photos/p-1/complete']);
  });

  it('gives up on a photo whose bytes are gone from the tablet', async () => {
    await expect(sendPhoto(photo(), tools(null).t, fakeApi().request)).rejects.toBeInstanceOf(ApiError);
  });
});
