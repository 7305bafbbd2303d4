import { describe, expect, it } from 'vitest';
import {
  bookingsBySlot, canMarkNoShow, dayLoad, freeSlots, holidayList, moved, serviceId, shortDate, slotLoad,
  stateChip, thisWeek, weekDates, weekdayIndex, weekStart, type WeekDay,
} from '../src/data/bookings';
import type { Appointment } from '../src/data/types';

const booking = (id: string, at: string, state: Appointment['state'] = 'booked'): Appointment => ({
  appointment_id: id, at, duration_minutes: 60, purpose: '保養', source: 'phone', customer_id: 'c',
  vehicle_id: 'v', customer_name: '林美華', plate: 'ABC-1234', state,
});

// Monday 2026-12-07 in Taipei: slots at 09:00, 09:30, 10:00 local (01:00Z …).
const monday: WeekDay = {
  date: '2026-12-07', open: true, hours: ['09:00', '18:00'],
  slots: [
    { at: '2026-12-07T01:00:00Z', taken: 2, capacity: 2 },
    { at: '2026-12-07T01:30:00Z', taken: 1, capacity: 2 },
    { at: '2026-12-07T02:00:00Z', taken: 0, capacity: 2 },
  ],
  appointments: [booking('b', '2026-12-07T01:45:00Z'), booking('a', '2026-12-07T01:00:00Z'), booking('early', '2026-12-07T00:30:00Z')],
};

describe('the week', () => {
  it('starts on the Monday of any day in it, Sunday included', () => {
    expect(weekStart('2026-12-07')).toBe('2026-12-07');
    expect(weekStart('2026-12-10')).toBe('2026-12-07');
    expect(weekStart('2026-12-13')).toBe('2026-12-07'); // a Sunday belongs to the week before it
    expect(weekStart('2027-01-01')).toBe('2026-12-28'); // across the year
  });

  it('has seven dates from Monday to Sunday, across a month end', () => {
    expect(weekDates('2026-11-30')).toEqual([
      '2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06',
    ]);
    expect(weekDates('2026-12-07').map(weekdayIndex)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(shortDate('2026-12-07')).toBe('12/7');
  });

  it('is this week by the Taipei date, not the device zone', () => {
    // Sunday 2026-12-13 17:00 UTC is already Monday 01:00 in Taipei.
    expect(thisWeek(new Date('2026-12-13T17:00:00Z'))).toBe('2026-12-14');
    expect(thisWeek(new Date('2026-12-13T15:00:00Z'))).toBe('2026-12-07');
  });
});

describe('a slot’s load', () => {
  it('fills the bar by the places taken and says full when none is left', () => {
    expect(slotLoad({ at: '', taken: 1, capacity: 2 })).toEqual({ taken: 1, capacity: 2, share: 0.5, full: false, over: false });
    expect(slotLoad({ at: '', taken: 2, capacity: 2 })).toMatchObject({ share: 1, full: true, over: false });
  });

  it('keeps an overbooked slot’s bar at full, and says it is over', () => {
    expect(slotLoad({ at: '', taken: 3, capacity: 2 })).toMatchObject({ share: 1, full: true, over: true });
  });

  it('adds the day’s slots into the day’s load', () => {
    expect(dayLoad(monday)).toMatchObject({ taken: 3, capacity: 6, share: 0.5, full: false });
  });

  it('offers only the free slots still to come, the booking’s own left out', () => {
    const at = (slots: { at: string }[]) => slots.map((s) => s.at);
    expect(at(freeSlots(monday, new Date('2026-12-07T00:00:00Z')))).toEqual(['2026-12-07T01:30:00Z', '2026-12-07T02:00:00Z']);
    expect(at(freeSlots(monday, new Date('2026-12-07T01:40:00Z')))).toEqual(['2026-12-07T02:00:00Z']);
    expect(at(freeSlots(monday, new Date('2026-12-07T00:00:00Z'), '2026-12-07T01:30:00Z'))).toEqual(['2026-12-07T02:00:00Z']);
  });
});

describe('bookings in their slots', () => {
  it('puts each booking under the slot it starts in, in time order', () => {
    const rows = bookingsBySlot(monday).map((row) => [row.slot.at, row.bookings.map((b) => b.appointment_id)]);
    expect(rows).toEqual([
      ['2026-12-07T01:00:00Z', ['early', 'a']], // before the first slot: with the first
      ['2026-12-07T01:30:00Z', ['b']],
      ['2026-12-07T02:00:00Z', []],
    ]);
  });

  it('keeps the bookings of a day without slots (closed, overbooked by hand) in a row of their own', () => {
    const closed: WeekDay = { ...monday, open: false, hours: null, slots: [] };
    expect(bookingsBySlot(closed)).toEqual([{ slot: { at: '', taken: 0, capacity: 0 }, bookings: [closed.appointments[2], closed.appointments[1], closed.appointments[0]] }]);
  });
});

describe('a booking’s state', () => {
  it('has a chip for each state', () => {
    expect(stateChip('pending')).toEqual({ key: 'week.state.pending', tone: 'wait' });
    expect(stateChip('booked').tone).toBe('ok');
    expect(stateChip('checked_in').tone).toBe('done');
    expect(stateChip('no_show').tone).toBe('off');
  });

  it('may be marked a no-show only once its time has come, and only while it is live', () => {
    const at = '2026-12-07T01:00:00Z';
    expect(canMarkNoShow(booking('x', at), new Date('2026-12-07T00:59:00Z'))).toBe(false);
    expect(canMarkNoShow(booking('x', at), new Date('2026-12-07T01:00:00Z'))).toBe(true);
    expect(canMarkNoShow(booking('x', at, 'pending'), new Date('2026-12-08T00:00:00Z'))).toBe(true);
    expect(canMarkNoShow(booking('x', at, 'cancelled'), new Date('2026-12-08T00:00:00Z'))).toBe(false);
    expect(canMarkNoShow(booking('x', at, 'checked_in'), new Date('2026-12-08T00:00:00Z'))).toBe(false);
  });
});

describe('the booking setup’s lists', () => {
  it('keeps holidays as dates, each once, in order', () => {
    expect(holidayList(['2026-12-25', '', '2026-01-01', '2026-12-25', '12/31'])).toEqual(['2026-01-01', '2026-12-25']);
  });

  it('moves a service up or down, and not past either end', () => {
    expect(moved(['a', 'b', 'c'], 1, -1)).toEqual(['b', 'a', 'c']);
    expect(moved(['a', 'b', 'c'], 1, 1)).toEqual(['a', 'c', 'b']);
    const list = ['a', 'b'];
    expect(moved(list, 0, -1)).toBe(list);
    expect(moved(list, 1, 1)).toBe(list);
  });

  it('names a new service with an id no other service has', () => {
    expect(serviceId('Oil change', [])).toBe('oil-change');
    expect(serviceId('Oil change', ['oil-change', 'oil-change-2'])).toBe('oil-change-3');
    expect(serviceId('保養', [])).toBe('service');
  });
});
