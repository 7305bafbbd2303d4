// The shop's opening hours per weekday (營業時間), part of its profile: a day is open or closed,
// and open from one time to another.
import { t } from '../../i18n';
import type { OpeningHours } from '../../data/api';
import './admin.css';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const USUAL = { open: '08:30', close: '18:00' };

export function OpeningHoursEditor({ hours, onHours }: { hours: OpeningHours; onHours: (hours: OpeningHours) => void }) {
  const set = (day: (typeof DAYS)[number], value: { open: string; close: string } | null) => {
    const next = { ...hours };
    if (value) next[day] = value; else delete next[day];
    onHours(Object.fromEntries(DAYS.filter((each) => next[each]).map((each) => [each, next[each]])) as OpeningHours);
  };
  return (
    <fieldset class="opening-hours admin">
      <legend>{t('shop.hours')}</legend>
      {DAYS.map((day) => {
        const open = hours[day];
        return (
          <div class="opening-day" key={day}>
            <label class="check opening-check">
              <input type="checkbox" checked={!!open} onChange={(event) => set(day, event.currentTarget.checked ? USUAL : null)} />
              <span>{t(`shop.day.${day}`)}</span>
            </label>
            {open ? (
              <span class="opening-times">
                <input type="time" aria-label={`${t(`shop.day.${day}`)} ${t('shop.opens')}`} value={open.open}
                  onInput={(event) => set(day, { ...open, open: event.currentTarget.value })} />
                <span aria-hidden="true">–</span>
                <input type="time" aria-label={`${t(`shop.day.${day}`)} ${t('shop.closes')}`} value={open.close}
                  onInput={(event) => set(day, { ...open, close: event.currentTarget.value })} />
              </span>
            ) : <span class="muted">{t('shop.closed')}</span>}
          </div>
        );
      })}
    </fieldset>
  );
}
