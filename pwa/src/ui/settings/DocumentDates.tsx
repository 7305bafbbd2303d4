// How the shop's printed documents write dates (owner, manager): 2026-12-07, or in 民國 years,
// 民國115年12月07日, as Taiwanese offices date their papers. One setting for every PDF; saved at
// once through the write queue. Mounted in the settings screen for those who manage the shop.
import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import { shopSettings } from '../../data/api';
import { setDatesRoc } from '../../data/paper';
import { Choice } from '../Choice';
import { errorText } from '../errors';
import { Notice } from '../Notice';

type Dates = 'iso' | 'roc';
type Message = { tone: 'error' | 'ok' | 'info'; text: string };

export function DocumentDates() {
  const [dates, setDates] = useState<Dates | null>(null);
  const [message, setMessage] = useState<Message | null>(null);

  useEffect(() => {
    shopSettings().then((settings) => setDates(settings.dates_roc === true ? 'roc' : 'iso'),
      (failure: unknown) => setMessage({ tone: 'error', text: tf('settings.loadFailed', { reason: errorText(failure) }) }));
  }, []);

  async function choose(next: Dates) {
    const before = dates;
    setDates(next);
    setMessage(null);
    try {
      const outcome = await setDatesRoc(next === 'roc');
      setMessage(outcome.sent ? { tone: 'ok', text: t('paper.datesSaved') } : { tone: 'info', text: t('common.queued') });
    } catch (failure) {
      setDates(before);
      setMessage({ tone: 'error', text: errorText(failure) });
    }
  }

  return (
    <section class="panel document-dates" aria-labelledby="document-dates-title">
      <h2 id="document-dates-title">{t('paper.dates')}</h2>
      <p class="muted">{t('paper.datesLead')}</p>
      {dates && (
        <Choice label={t('paper.dates')} value={dates} onChange={(next: Dates) => void choose(next)}
          options={[{ value: 'iso', label: t('paper.datesIso') }, { value: 'roc', label: t('paper.datesRoc') }]} />
      )}
      {message && <Notice tone={message.tone}>{message.text}</Notice>}
    </section>
  );
}
