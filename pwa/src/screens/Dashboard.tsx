import { useEffect, useMemo, useState } from 'preact/hooks';
import { locale, t, tf, type MessageKey } from '../i18n';
import { dashboard, dashboardCsv, listStaff } from '../data/api';
import {
  BOOKING_SOURCES, CHANNELS, TIMED_STATES, csvFileName, dailySeries, daysIn, durationText, percentText, periodOf, periodProblem,
  type Bookings, type Dashboard as Figures, type Period, type PeriodKind,
} from '../data/dashboard';
import { formatMoney } from '../data/format';
import { DayChart, type DaySeries } from '../ui/DayChart';
import { errorText } from '../ui/errors';
import { Notice } from '../ui/Notice';
import './dashboard.css';
import { saveFile } from '../ui/saveFile';

const KINDS: { value: PeriodKind; label: MessageKey }[] = [
  { value: 'week', label: 'dashboard.week' },
  { value: 'month', label: 'dashboard.month' },
  { value: 'days90', label: 'dashboard.days90' },
  { value: 'custom', label: 'dashboard.custom' },
];

const count = (value: number) => String(Math.round(value));

/**
 * The shop's numbers (營運報表) for the owner and managers: a period (this week, this month, the
 * last 90 days or chosen dates), the figures as cards, orders and revenue per day as charts, the
 * time each state takes, the notifications by channel; the same, day by day, as a CSV for Excel.
 */
export function Dashboard() {
  const [kind, setKind] = useState<PeriodKind>('month');
  const [period, setPeriod] = useState<Period>(() => periodOf('month'));
  const [draft, setDraft] = useState<Period>(period);
  const [figures, setFigures] = useState<Figures | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [downloading, setDownloading] = useState(false);

  useEffect(() => {
    setFigures(null);
    setError(null);
    dashboard(period.from, period.to).then(setFigures, (failure: unknown) => setError(errorText(failure)));
  }, [period.from, period.to]);

  function choose(next: PeriodKind) {
    setKind(next);
    if (next !== 'custom') {
      const chosen = periodOf(next);
      setPeriod(chosen);
      setDraft(chosen);
    }
  }

  const problem = periodProblem(draft);

  async function download() {
    setDownloading(true);
    setError(null);
    try {
      saveFile(await dashboardCsv(period.from, period.to), csvFileName(period));
    } catch (failure) {
      setError(errorText(failure));
    }
    setDownloading(false);
  }

  return (
    <section class="screen dashboard" aria-labelledby="dashboard-title">
      <div class="screen-head">
        <h1 id="dashboard-title">{t('dashboard.title')}</h1>
        <button type="button" class="button-secondary" disabled={downloading || !figures} onClick={() => void download()}>
          {downloading ? t('dashboard.preparing') : t('dashboard.csv')}
        </button>
      </div>
      <div class="dashboard-period" role="group" aria-label={t('dashboard.period')}>
        <div class="choice">
          {KINDS.map((option) => (
            <button type="button" key={option.value} class="choice-option" aria-pressed={kind === option.value} onClick={() => choose(option.value)}>
              {t(option.label)}
            </button>
          ))}
        </div>
        {kind === 'custom' && (
          <form class="dashboard-custom" onSubmit={(event) => { event.preventDefault(); if (!problem) setPeriod(draft); }}>
            <label>{t('dashboard.from')}
              <input type="date" value={draft.from} max={draft.to} onInput={(event) => setDraft({ ...draft, from: event.currentTarget.value })} />
            </label>
            <label>{t('dashboard.to')}
              <input type="date" value={draft.to} min={draft.from} onInput={(event) => setDraft({ ...draft, to: event.currentTarget.value })} />
            </label>
            <button type="submit" class="button-primary" disabled={problem !== null}>{t('dashboard.apply')}</button>
            {problem && <p class="dashboard-problem" role="alert">{t(problem)}</p>}
          </form>
        )}
        <p class="muted dashboard-range">{tf('dashboard.range', { from: period.from, to: period.to, days: daysIn(period) })}</p>
      </div>
      {error && <Notice>{error}</Notice>}
      {!figures && !error && <p class="muted">{t('common.loading')}</p>}
      {figures && <FiguresView figures={figures} />}
    </section>
  );
}

function FiguresView({ figures }: { figures: Figures }) {
  const lang = locale.value === 'en' ? 'en' : 'zh-TW';
  const time = (seconds: number | null) => durationText(seconds, lang);
  const { orders, walkaround, additional, follow_ups: followUps } = figures;
  const orderSeries = useMemo<DaySeries[]>(() => [
    { label: t('dashboard.opened'), colour: '#17495c', kind: 'bars' },
    { label: t('dashboard.delivered'), colour: '#1f8a5b', kind: 'line' },
  ], [lang]);
  const revenueSeries = useMemo<DaySeries[]>(() => [{ label: t('dashboard.revenue'), colour: '#9a6a10', kind: 'bars' }], [lang]);
  const orderData = useMemo(() => dailySeries(figures.days, [(day) => day.opened, (day) => day.delivered]), [figures]);
  const revenueData = useMemo(() => dailySeries(figures.days, [(day) => day.revenue]), [figures]);
  const empty = orders.opened === 0 && orders.delivered === 0;

  return (
    <>
      {empty && <p class="muted">{t('dashboard.empty')}</p>}
      <ul class="dashboard-cards">
        <li class="dashboard-card">
          <span class="dashboard-card-name">{t('dashboard.ordersPerDay')}</span>
          <span class="dashboard-card-value">{orders.per_day}</span>
          <span class="muted">{t('dashboard.opened')} {orders.opened}・{tf('dashboard.deliveredN', { n: orders.delivered })}</span>
        </li>
        <li class="dashboard-card">
          <span class="dashboard-card-name">{t('dashboard.revenue')}</span>
          <span class="dashboard-card-value">{formatMoney(orders.revenue)}</span>
          <span class="muted">{tf('dashboard.revenueTax', { amount: formatMoney(orders.revenue_tax) })}</span>
          <span class="muted">{t('dashboard.aov')} {orders.average_order_value === null ? '—' : formatMoney(orders.average_order_value)}</span>
        </li>
        <li class="dashboard-card">
          <span class="dashboard-card-name">{t('dashboard.walkaround')}</span>
          <span class="dashboard-card-value">{percentText(walkaround.share_complete)}</span>
          <span class="muted">{tf('dashboard.walkaroundOf', { complete: walkaround.complete, checked: walkaround.checked })}</span>
        </li>
        <li class="dashboard-card">
          <span class="dashboard-card-name">{t('dashboard.approvalTime')}</span>
          <span class="dashboard-card-value">{time(additional.approval_median)}</span>
          <span class="muted">{tf('dashboard.medianP90', { median: time(additional.approval_median), p90: time(additional.approval_p90) })}</span>
        </li>
        <li class="dashboard-card dashboard-card-wide">
          <span class="dashboard-card-name">{t('dashboard.additional')}</span>
          <dl class="dashboard-additional">
            {(['proposed', 'approved', 'declined'] as const).map((what) => (
              <div key={what} class={`dashboard-additional-${what}`}>
                <dt>{t(`dashboard.${what}`)}</dt>
                <dd>{tf('dashboard.itemCount', { n: additional[what].count })}<span class="dashboard-amount">{formatMoney(additional[what].amount)}</span></dd>
              </div>
            ))}
          </dl>
        </li>
        <li class="dashboard-card">
          <span class="dashboard-card-name">{t('dashboard.followUps')}</span>
          <span class="dashboard-card-value">{tf('dashboard.followUpsDone', { n: followUps.done })}</span>
          <span class={followUps.cases_open > 0 ? 'dashboard-cases-open' : 'muted'}>{tf('dashboard.casesOpen', { n: followUps.cases_open })}</span>
          <span class="muted">{tf('dashboard.casesPeriod', { opened: followUps.cases_opened, closed: followUps.cases_closed })}</span>
        </li>
      </ul>
      {figures.bookings && <BookingCards bookings={figures.bookings} />}

      <div class="dashboard-charts">
        <section class="panel" aria-labelledby="chart-orders">
          <h2 id="chart-orders">{t('dashboard.ordersPerDay')}</h2>
          <DayChart data={orderData} series={orderSeries} title={t('dashboard.ordersPerDay')} format={count} />
        </section>
        <section class="panel" aria-labelledby="chart-revenue">
          <h2 id="chart-revenue">{t('dashboard.revenueChart')}</h2>
          <DayChart data={revenueData} series={revenueSeries} title={t('dashboard.revenueChart')} format={moneyShort} />
        </section>
      </div>

      <div class="dashboard-tables">
        <section class="panel" aria-labelledby="state-times">
          <h2 id="state-times">{t('dashboard.stateTimes')}</h2>
          <table class="dashboard-table">
            <thead><tr><th scope="col">{t('dashboard.state')}</th><th scope="col">{t('dashboard.stays')}</th><th scope="col">{t('dashboard.median')}</th><th scope="col">{t('dashboard.p90')}</th></tr></thead>
            <tbody>
              {TIMED_STATES.map((state) => (
                <tr key={state}>
                  <th scope="row">{t(`state.${state}`)}</th>
                  <td>{figures.states[state].stays}</td>
                  <td>{time(figures.states[state].median)}</td>
                  <td>{time(figures.states[state].p90)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <Efficiency rows={figures.technicians ?? []} />
        <section class="panel" aria-labelledby="notifications">
          <h2 id="notifications">{t('dashboard.notifications')}</h2>
          <table class="dashboard-table">
            <thead><tr><th scope="col">{t('dashboard.channel')}</th><th scope="col">{t('dashboard.sent')}</th><th scope="col">{t('dashboard.failed')}</th></tr></thead>
            <tbody>
              {CHANNELS.map((channel) => (
                <tr key={channel}>
                  <th scope="row">{t(`dashboard.channel.${channel}`)}</th>
                  <td>{figures.notifications[channel].sent}</td>
                  <td class={figures.notifications[channel].failed > 0 ? 'dashboard-failed' : undefined}>{figures.notifications[channel].failed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </>
  );
}

/** 預約: where the bookings came from, how many came (到場率), the no-shows, the orders they became. */
function BookingCards({ bookings }: { bookings: Bookings }) {
  const due = bookings.checked_in + bookings.no_show;
  return (
    <ul class="dashboard-cards dashboard-bookings" aria-label={t('dashboard.bookings')}>
      <li class="dashboard-card dashboard-card-wide">
        <span class="dashboard-card-name">{t('dashboard.bookingSources')}</span>
        <span class="muted">{tf('dashboard.bookingsMade', { n: bookings.made })}</span>
        <dl class="dashboard-sources">
          {BOOKING_SOURCES.map((source) => (
            <div key={source}>
              <dt>{t(`source.${source}`)}</dt>
              <dd>{bookings.by_source[source]}</dd>
            </div>
          ))}
        </dl>
      </li>
      <li class="dashboard-card">
        <span class="dashboard-card-name">{t('dashboard.showRate')}</span>
        <span class="dashboard-card-value">{percentText(bookings.show_rate)}</span>
        <span class="muted">{tf('dashboard.showOf', { came: bookings.checked_in, due })}</span>
      </li>
      <li class="dashboard-card">
        <span class="dashboard-card-name">{t('dashboard.noShows')}</span>
        <span class={bookings.no_show > 0 ? 'dashboard-card-value dashboard-failed' : 'dashboard-card-value'}>{tf('dashboard.noShowsN', { n: bookings.no_show })}</span>
        <span class="muted">{tf('dashboard.cancelledN', { n: bookings.cancelled })}</span>
      </li>
      <li class="dashboard-card">
        <span class="dashboard-card-name">{t('dashboard.conversion')}</span>
        <span class="dashboard-card-value">{percentText(bookings.conversion)}</span>
        <span class="muted">{tf('dashboard.conversionOf', { orders: bookings.converted, made: bookings.made })}</span>
      </li>
    </ul>
  );
}

/** 工時效率: each person's sold hours (labour jobs finished) against the hours they worked. */
function Efficiency({ rows }: { rows: NonNullable<Figures['technicians']> }) {
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    listStaff().then((answer) => setNames(Object.fromEntries(answer.staff.map((s) => [s.staff_id, s.name]))), () => undefined);
  }, []);
  return (
    <section class="panel" aria-labelledby="efficiency">
      <h2 id="efficiency">{t('dashboard.efficiency')}</h2>
      {rows.length === 0 ? <p class="muted">{t('dashboard.noEfficiency')}</p> : (
        <table class="dashboard-table">
          <thead><tr><th scope="col">{t('dashboard.technician')}</th><th scope="col">{t('dashboard.jobsDone')}</th><th scope="col">{t('sheet.sold')}</th><th scope="col">{t('sheet.worked')}</th><th scope="col">{t('dashboard.efficiencyRate')}</th></tr></thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.staff_id}>
                <th scope="row">{names[row.staff_id] ?? '—'}</th>
                <td>{row.jobs}</td>
                <td>{row.sold_hours.toFixed(2)}</td>
                <td>{row.worked_hours.toFixed(2)}</td>
                <td class={row.efficiency !== null && row.efficiency < 80 ? 'dashboard-failed' : undefined}>{row.efficiency === null ? '—' : `${row.efficiency}%`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** An axis label: `NT$12k` rather than `NT$12,000` so the axis stays narrow. */
function moneyShort(value: number): string {
  return value >= 10_000 ? `${Math.round(value / 1000)}k` : String(Math.round(value));
}
