import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { dispatchSheet, dispatchSheetPdf } from '../data/api';
import { addDays, formatTime, taipeiDate } from '../data/format';
import type { DispatchSheet as Sheet } from '../data/types';
import { errorText } from '../ui/errors';
import { Notice } from '../ui/Notice';
import { PaperButtons } from '../ui/PaperButtons';
import { orderPath } from '../ui/router';

const hours = (value: number | null) => (value === null ? '—' : value.toFixed(2));

/** The day's 派工表 for the front desk: who works on what, sold and actual hours, 工時效率; an A4 PDF. */
export function DispatchSheet() {
  const today = taipeiDate();
  const [date, setDate] = useState(today);
  const [sheet, setSheet] = useState<Sheet | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setSheet(null);
    setError(null);
    dispatchSheet(date).then(setSheet, (failure: unknown) => setError(errorText(failure)));
  }, [date]);

  return (
    <section class="screen screen-wide dispatch-sheet" aria-labelledby="sheet-title">
      <div class="screen-head">
        <h1 id="sheet-title">{t('jobs.titleFor')}</h1>
        <PaperButtons label={t('sheet.pdf')} make={() => dispatchSheetPdf(date)} testId="paper-dispatch" />
      </div>
      <div class="month-switch" role="group" aria-label={t('sheet.day')}>
        <button type="button" class="button-secondary" onClick={() => setDate(addDays(date, -1))}>‹ {t('sheet.previous')}</button>
        <span class="month-now" aria-live="polite">{date}</span>
        <button type="button" class="button-secondary" disabled={date >= today} onClick={() => setDate(addDays(date, 1))}>{t('sheet.next')} ›</button>
      </div>
      {error && <Notice>{error}</Notice>}
      {!sheet && !error && <p class="muted">{t('common.loading')}</p>}
      {sheet && sheet.technicians.length === 0 && <p class="muted">{t('sheet.empty')}</p>}
      {sheet?.technicians.map((person) => (
        <section key={person.staff_id} class="panel" aria-labelledby={`sheet-${person.staff_id}`}>
          <h2 id={`sheet-${person.staff_id}`}>{person.name}</h2>
          <p class="sheet-totals" data-testid="sheet-totals">
            {tf('sheet.totals', { sold: hours(person.sold_hours), worked: hours(person.worked_hours) })}
            {' · '}
            <b>{person.efficiency === null ? t('sheet.noTime') : tf('sheet.efficiency', { rate: person.efficiency })}</b>
          </p>
          <div class="sheet-scroll">
            <table class="sheet-table">
              <thead>
                <tr>
                  <th>{t('sheet.order')}</th><th>{t('sheet.job')}</th><th class="n">{t('sheet.sold')}</th>
                  <th class="n">{t('sheet.worked')}</th><th>{t('sheet.start')}</th><th>{t('sheet.finish')}</th><th>{t('sheet.status')}</th>
                </tr>
              </thead>
              <tbody>
                {person.jobs.map((job) => (
                  <tr key={job.line_id} class={job.sold_hours !== null && job.worked_hours > job.sold_hours ? 'sheet-over' : ''}>
                    <td><a class="tap-link" href={`#${orderPath(job.order_id)}`}>{job.plate}</a><br /><span class="muted">{job.number}</span></td>
                    <td>{job.description}</td>
                    <td class="n">{hours(job.sold_hours)}</td>
                    <td class="n">{hours(job.worked_hours)}</td>
                    <td>{job.started_at ? formatTime(job.started_at) : '—'}</td>
                    <td>{job.finished_at ? formatTime(job.finished_at) : '—'}</td>
                    <td>{t(`jobs.state.${job.status === 'declined' ? 'declined' : job.status}`)}{job.reason ? `・${t(`jobs.reason.${job.reason}`)}` : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </section>
  );
}
