import { describe, expect, it } from 'vitest';
import { byOrder, overSold, tapped, workedSeconds } from '../src/data/jobs';
import type { Job, JobClock } from '../src/data/types';

const me = { staff_id: 'tech-1', name: '阿明師傅' };

function job(orderId: string, lineId: string, clock?: JobClock): Job {
  return {
    order_id: orderId, number: `N-${orderId}`, plate: `P-${orderId}`, promised_at: null,
    line: { line_id: lineId, kind: 'labour', description: lineId, amount: 600, origin: 'authorization', state: 'approved', ...(clock ? { clock } : {}) },
  };
}

describe('byOrder', () => {
  it('keeps the server order and groups the jobs of one order together', () => {
    const groups = byOrder([job('a', 'a1'), job('a', 'a2'), job('b', 'b1')]);
    expect(groups.map((g) => [g.order_id, g.jobs.map((j) => j.line.line_id)])).toEqual([['a', ['a1', 'a2']], ['b', ['b1']]]);
  });
});

describe('workedSeconds', () => {
  const since = '2026-12-07T01:00:00.000Z';
  it('adds the running period to what was counted', () => {
    const clock: JobClock = { state: 'running', since, by: me, seconds: 600 };
    expect(workedSeconds(clock, Date.parse(since) + 90_000)).toBe(690);
  });
  it('counts nothing more while paused, and nothing for a job never started', () => {
    expect(workedSeconds({ state: 'paused', since, by: me, seconds: 600, reason: 'parts' }, Date.parse(since) + 3_600_000)).toBe(600);
    expect(workedSeconds(undefined)).toBe(0);
  });
});

describe('tapped (offline)', () => {
  it('shows a pause at once, keeping the minutes worked so far', () => {
    const started = new Date(Date.now() - 120_000).toISOString();
    const paused = tapped(job('a', 'a1', { state: 'running', since: started, by: me, seconds: 60 }), 'pause', 'break', me);
    expect(paused.line.clock?.state).toBe('paused');
    expect(paused.line.clock?.reason).toBe('break');
    expect(paused.line.clock?.seconds).toBeGreaterThanOrEqual(179);
  });
  it('marks the line done on finish', () => {
    expect(tapped(job('a', 'a1'), 'finish', undefined, me).line.state).toBe('done');
  });
});

describe('overSold', () => {
  const since = '2026-12-07T01:00:00.000Z';
  const work = { line_id: 'l', description: '四輪定位', staff_id: 's', name: '阿明', since, seconds: 1800, sold_hours: 1 };
  it('flags a running job once its time passes the hours sold', () => {
    expect(overSold({ ...work, state: 'running' }, Date.parse(since) + 29 * 60_000)).toBe(false);
    expect(overSold({ ...work, state: 'running' }, Date.parse(since) + 31 * 60_000)).toBe(true);
  });
  it('does not count a pause, nor flag a job with no hours sold', () => {
    expect(overSold({ ...work, state: 'paused' }, Date.parse(since) + 3_600_000)).toBe(false);
    expect(overSold({ ...work, state: 'running', sold_hours: undefined }, Date.parse(since) + 9e6)).toBe(false);
  });
});
