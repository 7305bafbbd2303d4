// Bookings as the advisor runs them (issue 19): the week's slots with their load and the cars in
// them, a booking's changes (confirm, reschedule, cancel, no-show, technician, parts ready,
// estimate) and the shop's online booking setup. Reads go straight to the API; the changes go
// through the write queue like every write (a refused one, e.g. `slot_full`, rejects).
import { http, queue } from './client';
import { addDays, taipeiDate } from './format';
import type { Appointment } from './types';

const q = (value: string) => encodeURIComponent(value);

export interface Slot { at: string; taken: number; capacity: number }
export interface WeekDay {
  date: string;
  open: boolean;
  hours: [string, string] | null;
  slots: Slot[];
  appointments: Appointment[];
}
export interface Week { start: string; slot_minutes: number; days: WeekDay[] }

export interface BookingService { service_id: string; zh: string; en: string; minutes: number }
export interface BookingSetup {
  slot_minutes: number;
  cars_per_slot: number;
  days_ahead: number;
  notice_hours: number;
  confirm_by_hand: boolean;
  holidays: string[];
  services: BookingService[];
  online: boolean;
  /** Read-only: the shop's public booking page and that address as a QR to print. */
  booking_url: string;
  booking_qr_svg: string;
}
export type BookingSetupChange = Omit<BookingSetup, 'booking_url' | 'booking_qr_svg'>;

/** What the advisor may change on a booking (PATCH /api/appointments/{id}, any subset). */
export interface AppointmentChange {
  at?: string;
  duration_minutes?: number;
  purpose?: string;
  parts_to_prepare?: string[];
  parts_ready?: string[];
  technician_id?: string | null;
  estimate_amount?: number | null;
  state?: 'booked' | 'cancelled' | 'no_show';
  /** Into a full slot on purpose (the advisor only; the online page never can). */
  overbook?: boolean;
}

export const week = (start: string) => http.request<Week>('GET', `/api/appointments/week?start=${q(start)}`);
export const changeAppointment = (appointmentId: string, change: AppointmentChange) =>
  queue.submit<Appointment>('PATCH', `/api/appointments/${q(appointmentId)}`, change);
export const bookingSetup = () => http.request<BookingSetup>('GET', '/api/booking-setup');
export const saveBookingSetup = (setup: BookingSetupChange) =>
  queue.submit<BookingSetup>('PUT', '/api/booking-setup', setup);

// ---------------------------------------------------------------------------------------------
// Pure logic of the week screen.

/** The Monday of `date`'s week (`YYYY-MM-DD`, a Taipei date): a shop's week runs Monday–Sunday. */
export function weekStart(date: string): string {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 Sunday … 6 Saturday
  return addDays(date, -((weekday + 6) % 7));
}

/** The seven dates from `start`. */
export function weekDates(start: string): string[] {
  return Array.from({ length: 7 }, (_, i) => addDays(start, i));
}

/** 0 Monday … 6 Sunday, for the day's name. */
export function weekdayIndex(date: string): number {
  return (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
}

/** `2026-12-07` → `12/7`. */
export function shortDate(date: string): string {
  const [, month, day] = date.split('-').map(Number);
  return `${month}/${day}`;
}

export type Load = { taken: number; capacity: number; share: number; full: boolean; over: boolean };

/** A slot's load: how much of the bar is filled (0…1), full when no place is left, over when
 * the advisor put more cars in than it holds. */
export function slotLoad(slot: Slot): Load {
  const { taken, capacity } = slot;
  const share = capacity > 0 ? Math.min(1, taken / capacity) : 1;
  return { taken, capacity, share, full: taken >= capacity, over: taken > capacity };
}

/** The whole day's load: the places taken over the places there are. */
export function dayLoad(day: WeekDay): Load {
  return slotLoad(day.slots.reduce((sum, slot) => ({
    at: '', taken: sum.taken + slot.taken, capacity: sum.capacity + slot.capacity,
  }), { at: '', taken: 0, capacity: 0 }));
}

export type BookingState = NonNullable<Appointment['state']>;
/** The state's chip: its words' key and its tone. */
export function stateChip(state: BookingState): { key: `week.state.${BookingState}`; tone: 'wait' | 'ok' | 'done' | 'off' } {
  const tone = ({ pending: 'wait', booked: 'ok', checked_in: 'done', cancelled: 'off', no_show: 'off' } as const)[state];
  return { key: `week.state.${state}`, tone };
}

/** A booking still to come or to act on (not cancelled, not a no-show). */
export const isLive = (a: Appointment) => a.state === 'pending' || a.state === 'booked';

/** A no-show can be marked once its time has come, and only on a live booking. */
export function canMarkNoShow(a: Appointment, now: Date = new Date()): boolean {
  return isLive(a) && new Date(a.at).getTime() <= now.getTime();
}

/** The slots a booking can move to: open places, not yet past (its own slot left out). */
export function freeSlots(day: WeekDay, now: Date = new Date(), except?: string): Slot[] {
  return day.slots.filter((slot) => slot.at !== except && slot.taken < slot.capacity
    && new Date(slot.at).getTime() > now.getTime());
}

/** The slots of a day with the bookings that start in each (a booking before the first slot
 * goes with the first, one between slots with the slot it falls in). */
export function bookingsBySlot(day: WeekDay): { slot: Slot; bookings: Appointment[] }[] {
  const rows = day.slots.map((slot) => ({ slot, bookings: [] as Appointment[] }));
  const sorted = [...day.appointments].sort((a, b) => a.at.localeCompare(b.at));
  const loose: Appointment[] = [];
  for (const booking of sorted) {
    const at = new Date(booking.at).getTime();
    let index = -1;
    rows.forEach((row, i) => { if (new Date(row.slot.at).getTime() <= at) index = i; });
    if (rows.length === 0) loose.push(booking);
    else rows[Math.max(0, index)]!.bookings.push(booking);
  }
  return loose.length ? [...rows, { slot: { at: '', taken: 0, capacity: 0 }, bookings: loose }] : rows;
}

/** Today in Taipei, the week it is in: what 「本週」 goes back to. */
export const thisWeek = (now: Date = new Date()) => weekStart(taipeiDate(now));

/** Dates typed in the holiday list: ISO days, each once, in order. */
export function holidayList(dates: string[]): string[] {
  return [...new Set(dates.filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)))].sort();
}

/** A services' list after moving entry `index` by `step` (-1 up, 1 down); unchanged at an end. */
export function moved<T>(list: T[], index: number, step: -1 | 1): T[] {
  const to = index + step;
  if (to < 0 || to >= list.length) return list;
  const next = [...list];
  [next[index], next[to]] = [next[to]!, next[index]!];
  return next;
}

/** A service's id made from its English (or Chinese) name, unique in the list. */
export function serviceId(name: string, taken: string[]): string {
  const base = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 24) || 'service';
  let id = base;
  for (let n = 2; taken.includes(id); n += 1) id = `${base}-${n}`;
  return id;
}
