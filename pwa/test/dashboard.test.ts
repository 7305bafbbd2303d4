import { describe, expect, it } from 'vitest';
import { csvFileName, dailySeries, daysIn, durationText, percentText, periodOf, periodProblem, type DashboardDay } from '../src/data/dashboard';

describe('the periods the picker offers', () => {
  it('starts this week on Monday, the month on the 1st, and counts 90 days back including today', () => {
    expect(periodOf('week', '2026-03-04')).toEqual({ from: '2026-03-02', to: '2026-03-04' }); // a Wednesday
    expect(periodOf('week', '2026-03-08')).toEqual({ from: '2026-03-02', to: '2026-03-08' }); // Sunday ends the week
    expect(periodOf('week', '2026-03-02')).toEqual({ from: '2026-03-02', to: '2026-03-02' });
    expect(periodOf('month', '2026-03-04')).toEqual({ from: '2026-03-01', to: '2026-03-04' });
    const last90 = periodOf('days90', '2026-03-04');
    expect(last90).toEqual({ from: '2025-12-05', to: '2026-03-04' });
    expect(daysIn(last90)).toBe(90);
  });

  it('refuses what the API would refuse, with the reason', () => {
    expect(periodProblem({ from: '2026-03-01', to: '2026-03-31' })).toBeNull();
    expect(periodProblem({ from: '2025-03-02', to: '2026-03-02' })).toBeNull(); // 366 days
    expect(periodProblem({ from: '2025-03-01', to: '2026-03-02' })).toBe('dashboard.tooLong');
    expect(periodProblem({ from: '2026-03-05', to: '2026-03-01' })).toBe('dashboard.endsBefore');
    expect(periodProblem({ from: '2026-02-30', to: '2026-03-01' })).toBe('dashboard.badDate');
    expect(periodProblem({ from: '', to: '2026-03-01' })).toBe('dashboard.badDate');
  });
});

describe('figures as a shop reads them', () => {
  it('says durations in minutes, hours or days', () => {
    expect(durationText(null, 'zh-TW')).toBe('—');
    expect(durationText(25 * 60, 'zh-TW')).toBe('25 分');
    expect(durationText(90 * 60, 'zh-TW')).toBe('1.5 小時');
    expect(durationText(14 * 3600, 'en')).toBe('14 h');
    expect(durationText(2.5 * 86400, 'zh-TW')).toBe('2.5 天');
  });

  it('says shares as whole percents', () => {
    expect(percentText(0.8333)).toBe('83%');
    expect(percentText(null)).toBe('—');
  });

  it('lays the days out for the chart at noon in Taipei, one value per series per day', () => {
    const day = (date: string, opened: number) => ({ date, opened, delivered: opened - 1 }) as DashboardDay;
    const [xs, opened, delivered] = dailySeries([day('2026-03-01', 3), day('2026-03-02', 5)], [(d) => d.opened, (d) => d.delivered]);
    expect(xs).toEqual([Date.UTC(2026, 2, 1, 4) / 1000, Date.UTC(2026, 2, 2, 4) / 1000]);
    expect(opened).toEqual([3, 5]);
    expect(delivered).toEqual([2, 4]);
    expect(csvFileName({ from: '2026-03-01', to: '2026-03-31' })).toBe('dashboard-2026-03-01-2026-03-31.csv');
  });
});
