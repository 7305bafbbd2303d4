import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { session } from '../data/client';
import { vehicleHistory, vehicleHistoryPdf } from '../data/api';
import { formatMoney } from '../data/format';
import { AXLES, TYRES } from '../data/inspection';
import type { HistoryPoint, VehicleHistory as History } from '../data/types';
import { errorText } from '../ui/errors';
import { Notice } from '../ui/Notice';
import { openMadeFile } from '../ui/OrderParts';
import { orderPath } from '../ui/router';
import { Sparkline } from '../ui/Sparkline';
import './vehicle-history.css';

const points = (series: HistoryPoint[]) => series.map((point) => ({ label: point.date, value: point.mm }));

/** A vehicle's 維修履歷: its visits and their work, tread, pads and mileage over time, the
 * declined work no later visit did; an A4 PDF the owner can keep (front desk). */
export function VehicleHistory({ vehicleId }: { vehicleId: string }) {
  const [history, setHistory] = useState<History | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [printing, setPrinting] = useState(false);
  const frontDesk = session.value?.staff.role !== 'technician';

  useEffect(() => {
    vehicleHistory(vehicleId).then(setHistory, (failure: unknown) => setError(errorText(failure)));
  }, [vehicleId]);

  async function pdf() {
    setPrinting(true);
    setError(await openMadeFile(() => vehicleHistoryPdf(vehicleId)));
    setPrinting(false);
  }

  if (!history) {
    return (
      <section class="screen">
        {error ? <Notice>{error}</Notice> : <p class="muted">{t('common.loading')}</p>}
      </section>
    );
  }
  const car = history.vehicle;
  const tyres = TYRES.filter((pos) => history.tyres[pos]?.length);
  const pads = AXLES.filter((axle) => history.brakes[axle]?.length);
  return (
    <section class="screen screen-wide vehicle-history" aria-labelledby="history-title">
      <div class="screen-head">
        <div>
          <p class="order-number">{t('history.title')}</p>
          <h1 id="history-title" class="plate plate-big">{car.plate}</h1>
          <p class="order-vehicle">
            {car.make} {car.model}{car.year ? ` · ${car.year}` : ''}
            {car.mileage ? ` · ${car.mileage.km.toLocaleString('en-US')} km` : ''}
          </p>
        </div>
        {frontDesk && (
          <button type="button" class="button-secondary" disabled={printing} onClick={() => void pdf()} data-testid="history-pdf">
            {printing ? t('part.preparing') : t('history.pdf')}
          </button>
        )}
      </div>
      {error && <Notice>{error}</Notice>}

      <section class="panel" aria-labelledby="trends-title">
        <h2 id="trends-title">{t('history.trends')}</h2>
        {tyres.length === 0 && pads.length === 0 && history.mileage.length === 0 && <p class="muted">{t('history.noReadings')}</p>}
        <div class="trends">
          {tyres.map((pos) => {
            const series = history.tyres[pos]!;
            const last = series[series.length - 1]!;
            return (
              <figure key={pos} class="trend" data-testid={`trend-tyre-${pos}`}>
                <figcaption>
                  <span>{t(`history.tyre.${pos}`)}</span>
                  <b class={last.mm < history.legal_tread_mm ? 'trend-low' : ''}>{last.mm} mm</b>
                </figcaption>
                <Sparkline points={points(series)} limit={history.legal_tread_mm} title={t(`history.tyre.${pos}`)} unit="mm" />
              </figure>
            );
          })}
          {pads.map((axle) => {
            const series = history.brakes[axle]!;
            return (
              <figure key={axle} class="trend" data-testid={`trend-pad-${axle}`}>
                <figcaption><span>{t(`history.pad.${axle}`)}</span><b>{series[series.length - 1]!.mm} mm</b></figcaption>
                <Sparkline points={points(series)} title={t(`history.pad.${axle}`)} unit="mm" />
              </figure>
            );
          })}
          {history.mileage.length > 0 && (
            <figure class="trend" data-testid="trend-mileage">
              <figcaption>
                <span>{t('history.mileage')}</span>
                <b>{history.mileage[history.mileage.length - 1]!.km.toLocaleString('en-US')} km</b>
              </figcaption>
              <Sparkline points={history.mileage.map((reading) => ({ label: reading.at.slice(0, 10), value: reading.km }))}
                title={t('history.mileage')} unit="km" />
            </figure>
          )}
        </div>
        {tyres.length > 0 && <p class="muted trend-note">{tf('history.legal', { mm: history.legal_tread_mm })}</p>}
      </section>

      {history.declined_open.length > 0 && (
        <section class="panel declined-open" aria-labelledby="declined-title">
          <h2 id="declined-title">{t('history.declined')}</h2>
          <ul>
            {history.declined_open.map((line) => (
              <li key={line.line_id}>
                <span>{line.description}</span>
                <span class="muted">{line.date} · <a class="tap-link" href={`#${orderPath(line.order_id)}`}>{line.number}</a> · {formatMoney(line.amount)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section class="panel" aria-labelledby="visits-title">
        <h2 id="visits-title">{tf('history.visits', { n: history.visits.length })}</h2>
        {history.visits.length === 0 && <p class="muted">{t('history.noVisits')}</p>}
        <ol class="visits">
          {history.visits.map((visit) => (
            <li key={visit.order_id} class="visit" data-testid="visit">
              <div class="visit-head">
                <time dateTime={visit.date}>{visit.date}</time>
                <span>{visit.mileage_km !== null ? `${visit.mileage_km.toLocaleString('en-US')} km` : '—'}</span>
                <a class="tap-link" href={`#${orderPath(visit.order_id)}`}>{visit.number}</a>
                <span class={`state-badge state-${visit.state}`}>{t(`state.${visit.state}`)}</span>
                {visit.total !== null && <b class="visit-total">{formatMoney(visit.total)}</b>}
              </div>
              <ul class="visit-lines">
                {visit.lines.map((line) => (
                  <li key={line.line_id} class={line.state === 'declined' ? 'visit-line declined' : 'visit-line'}>
                    <span>{line.description}</span>
                    <span class="muted">{t(`line.${line.state}`)}</span>
                    <span class="visit-amount">{formatMoney(line.amount)}</span>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
        {history.more && <p class="muted">{t('history.more')}</p>}
      </section>
    </section>
  );
}
