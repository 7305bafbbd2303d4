// The shop's inspection thresholds (owner, manager): four numbers on the decimal keypad, saved
// through the write queue; the two set by law are shown beside them, not editable.
import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import { changeShopSettings, shopSettings } from '../../data/api';
import { DEFAULT_SETTINGS, type ShopSettings } from '../../data/inspection';
import { formOf, mm, THRESHOLDS, thresholdChange, type ThresholdForm, type ThresholdProblem } from '../../data/thresholds';
import { errorText } from '../errors';
import { Field } from '../Field';
import { Notice } from '../Notice';

type Message = { tone: 'error' | 'ok' | 'info'; text: string };

function problemText(problem: ThresholdProblem): string {
  if (problem.problem === 'padOrder') return t('settings.padOrder');
  const label = t(`settings.threshold.${problem.name}`);
  return tf(problem.problem === 'notNumber' ? 'settings.notNumber' : 'settings.outOfRange',
    { label, min: mm(problem.min), max: mm(problem.max) });
}

export function Thresholds() {
  const [current, setCurrent] = useState<ShopSettings | null>(null);
  const [form, setForm] = useState<ThresholdForm | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);

  function adopt(settings: ShopSettings): void {
    const merged = { ...DEFAULT_SETTINGS, ...settings };
    setCurrent(merged);
    setForm(formOf(merged));
  }

  useEffect(() => {
    shopSettings().then(adopt, (failure: unknown) =>
      setMessage({ tone: 'error', text: tf('settings.loadFailed', { reason: errorText(failure) }) }));
  }, []);

  async function submit(event: Event) {
    event.preventDefault();
    if (!form || !current) return;
    const checked = thresholdChange(form, current);
    if (!checked.ok) return setMessage({ tone: 'error', text: problemText(checked) });
    if (Object.keys(checked.change).length === 0) return setMessage({ tone: 'info', text: t('settings.nothingChanged') });
    setBusy(true);
    setMessage(null);
    try {
      const outcome = await changeShopSettings(checked.change);
      if (outcome.sent) {
        adopt(outcome.body);
        setMessage({ tone: 'ok', text: t('settings.saved') });
      } else {
        setCurrent({ ...current, ...checked.change });
        setMessage({ tone: 'info', text: t('common.queued') });
      }
    } catch (failure) {
      setMessage({ tone: 'error', text: errorText(failure) });
    } finally {
      setBusy(false);
    }
  }

  const law = current ?? DEFAULT_SETTINGS;
  return (
    <form class="form panel" onSubmit={submit} noValidate aria-labelledby="thresholds-title">
      <h2 id="thresholds-title">{t('settings.thresholds')}</h2>
      <p class="muted">{t('settings.thresholdsLead')}</p>
      {form && (
        <div class="field-row threshold-fields">
          {THRESHOLDS.map(({ name, min, max }) => (
            <Field key={name} id={`threshold-${name}`} label={t(`settings.threshold.${name}`)}
              hint={tf('settings.mmHint', { min: mm(min), max: mm(max) })}
              value={form[name]} onValue={(text) => setForm({ ...form, [name]: text })}
              inputMode="decimal" autoComplete="off" enterKeyHint="done" />
          ))}
        </div>
      )}
      <section class="law" aria-labelledby="law-title">
        <h3 id="law-title">{t('settings.law')}</h3>
        <dl>
          <dt>{t('settings.legalMin')}</dt>
          <dd>{tf('settings.legalMinValue', { mm: mm(law.tread_legal_min_mm ?? 1.6) })}</dd>
          <dt>{t('settings.tyreAge')}</dt>
          <dd>{tf('settings.tyreAgeValue', { years: Number(law.tyre_max_age_years ?? 6) })}</dd>
        </dl>
      </section>
      {message && <Notice tone={message.tone}>{message.text}</Notice>}
      <button type="submit" class="button-primary" disabled={busy || !form}>{t('settings.thresholdsSave')}</button>
    </form>
  );
}
