// The shop's numbers (營運報表): the API's figures for a period, and the pure pieces the screen
// needs — which days a period covers, durations as a shop says them, chart series.
import { addDays, taipeiDate } from './format';

export const TIMED_STATES = ['booked', 'checked_in', 'authorized', 'in_progress', 'awaiting_approval', 'quality_check', 'ready'] as const;
export type TimedState = (typeof TIMED_STATES)[number];
export const CHANNELS = ['line', 'line_pnp', 'sms', 'email', 'push', 'none'] as const;
export type Channel = (typeof CHANNELS)[number];
export type Additional = 'proposed' | 'approved' | 'declined';
export const BOOKING_SOURCES = ['phone', 'line', 'online', 'walk_in', 'invitation'] as const;
export type BookingSource = (typeof BOOKING_SOURCES)[number];
/** 預約: made (by source), checked in, no-shows, cancelled, turned into orders; the rates. */
export interface Bookings {
  made: number; by_source: Record<BookingSource, number>; checked_in: number; no_show: number;
  cancelled: number; converted: number; show_rate: number | null; conversion: number | null;
}
export interface CountAmount { count: number; amount: number }
export interface SentFailed { sent: number; failed: number }

export interface DashboardDay {
  date: string;
  opened: number;
  delivered: number;
  revenue: number;
  revenue_tax: number;
  average_order_value: number | null;
  cancelled: number;
  walkarounds: number;
  walkarounds_complete: number;
  followed_up: number;
  state_medians: Record<TimedState, number | null>;
  additional: Record<Additional, CountAmount>;
  approval_median: number | null;
  notifications: Record<Channel, SentFailed>;
  cases_opened: number;
  cases_closed: number;
  bookings?: Bookings;
}

export interface Dashboard {
  from: string;
  to: string;
  days: DashboardDay[];
  orders: { opened: number; per_day: number; delivered: number; cancelled: number; revenue: number; revenue_tax: number; average_order_value: number | null };
  states: Record<TimedState, { stays: number; median: number | null; p90: number | null }>;
  walkaround: { checked: number; complete: number; share_complete: number | null };
  additional: Record<Additional, CountAmount> & { approval_median: number | null; approval_p90: number | null };
  notifications: Record<Channel, SentFailed>;
  follow_ups: { done: number; cases_opened: number; cases_closed: number; cases_open: number };
  /** 工時效率 per person: the sold hours of the labour jobs they finished against the hours worked. */
  technicians?: { staff_id: string; jobs: number; sold_hours: number; worked_hours: number; efficiency: number | null }[];
  bookings?: Bookings;
}

export type PeriodKind = 'week' | 'month' | 'days90' | 'custom';
export interface Period { from: string; to: string }
export const MAX_DAYS = 366;

/** The days of a period ending today (Taipei): this week from Monday, this month, the last 90. */
export function periodOf(kind: Exclude<PeriodKind, 'custom'>, today: string = taipeiDate()): Period {
  if (kind === 'month') return { from: `${today.slice(0, 8)}01`, to: today };
  if (kind === 'days90') return { from: addDays(today, -89), to: today };
  const weekday = new Date(`${today}T00:00:00Z`).getUTCDay(); // 0 Sunday … 6 Saturday
  return { from: addDays(today, -((weekday + 6) % 7)), to: today };
}

export function daysIn(period: Period): number {
  const ms = Date.parse(`${period.to}T00:00:00Z`) - Date.parse(`${period.from}T00:00:00Z`);
  return Math.round(ms / 86_400_000) + 1;
}

/** Why a chosen period cannot be asked for (a message key), or null when it can. */
export function periodProblem(period: Period): 'dashboard.badDate' | 'dashboard.endsBefore' | 'dashboard.tooLong' | null {
  const valid = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`))
    && new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) === text;
  if (!valid(period.from) || !valid(period.to)) return 'dashboard.badDate';
  const days = daysIn(period);
  if (days < 1) return 'dashboard.endsBefore';
  if (days > MAX_DAYS) return 'dashboard.tooLong';
  return null;
}

/** Seconds as a shop says a duration: `25 分`, `1.5 小時`, `2.5 天` (or in English). */
export function durationText(seconds: number | null, locale: 'zh-TW' | 'en'): string {
  if (seconds === null) return '—';
  const minutes = seconds / 60;
  const round = (value: number) => (value >= 10 ? Math.round(value) : Math.round(value * 10) / 10);
  if (minutes < 60) return locale === 'en' ? `${Math.round(minutes)} min` : `${Math.round(minutes)} 分`;
  const hours = minutes / 60;
  if (hours < 24) return locale === 'en' ? `${round(hours)} h` : `${round(hours)} 小時`;
  return locale === 'en' ? `${round(hours / 24)} d` : `${round(hours / 24)} 天`;
}

/** `0.8333` → `83%`; none asked → `—`. */
export function percentText(share: number | null): string {
  return share === null ? '—' : `${Math.round(share * 100)}%`;
}

/** uPlot's data: x as Unix seconds (the day's noon in Taipei, so bars sit on their day), then each series. */
export function dailySeries(days: DashboardDay[], pick: ((day: DashboardDay) => number)[]): [number[], ...number[][]] {
  const xs = days.map((day) => Date.parse(`${day.date}T04:00:00Z`) / 1000);
  return [xs, ...pick.map((value) => days.map(value))];
}

export const csvFileName = (period: Period) => `dashboard-${period.from}-${period.to}.csv`;
