import { describe, expect, it } from 'vitest';
import { health, type HealthOutcome } from '../src/data/api';
import { describeHealth } from '../src/data/status';

const report = (httpStatus: number, status: string, checks: Record<string, string>): HealthOutcome => ({
  kind: 'report',
  httpStatus,
  report: { status, version: '0.1.0', checks },
});

function answering(status: number, body: string): typeof fetch {
  return async () => new Response(body, { status, headers: { 'Content-Type': 'application/json' } });
}

describe('describeHealth', () => {
  it('reports the system normal when every check is ok', () => {
    expect(describeHealth(report(200, 'ok', { table: 'ok', bucket: 'ok' }))).toEqual({
      tone: 'ok', messages: ['status.ok'], version: '0.1.0',
    });
  });

  it('names the database when the table check is unreachable', () => {
    const status = describeHealth(report(503, 'unavailable', { table: 'unreachable', bucket: 'ok' }));
    expect(status).toEqual({ tone: 'down', messages: ['status.tableDown'], version: '0.1.0' });
  });

  it('names file storage when the bucket check is unreachable', () => {
    const status = describeHealth(report(503, 'unavailable', { table: 'ok', bucket: 'unreachable' }));
    expect(status.messages).toEqual(['status.bucketDown']);
    expect(status.tone).toBe('down');
  });

  it('names both when both are unreachable, and an unknown part generically', () => {
    expect(describeHealth(report(503, 'unavailable', { table: 'unreachable', bucket: 'unreachable' })).messages)
      .toEqual(['status.tableDown', 'status.bucketDown']);
    expect(describeHealth(report(503, 'unavailable', { table: 'ok', queue: 'unreachable' })).messages)
      .toEqual(['status.partDown']);
  });

  it('trusts the checks over a status that says ok', () => {
    expect(describeHealth(report(200, 'ok', { table: 'unreachable' })).tone).toBe('down');
    expect(describeHealth(report(503, 'unavailable', {})).messages).toEqual(['status.unavailable']);
  });

  it('says offline when there is no answer, and unknown for an answer that is not health JSON', () => {
    expect(describeHealth({ kind: 'offline' })).toEqual({ tone: 'offline', messages: ['status.offline'], version: null });
    expect(describeHealth({ kind: 'invalid', httpStatus: 502 }).messages).toEqual(['status.unknown']);
  });
});

describe('health()', () => {
  it('reads a 503 body as a report, not as an error', async () => {
    const body = '{"status":"unavailable","version":"0.1.0","checks":{"table":"unreachable","bucket":"ok"}}';
    const outcome = await health(answering(503, body));
    expect(outcome).toEqual({
      kind: 'report', httpStatus: 503,
      report: { status: 'unavailable', version: '0.1.0', checks: { table: 'unreachable', bucket: 'ok' } },
    });
    expect(describeHealth(outcome).messages).toEqual(['status.tableDown']);
  });

  it('is offline when fetch fails', async () => {
    const failing: typeof fetch = async () => { throw new TypeError('Failed to fetch'); };
    const outcome = await health(failing);
    expect(outcome).toEqual({ kind: 'offline' });
    expect(describeHealth(outcome).messages).toEqual(['status.offline']);
  });

  it('is invalid for a page that is not the health JSON', async () => {
    expect(await health(answering(502, '<html>Bad gateway</html>'))).toEqual({ kind: 'invalid', httpStatus: 502 });
    expect(await health(answering(200, '{"hello":1}'))).toEqual({ kind: 'invalid', httpStatus: 200 });
  });
});
