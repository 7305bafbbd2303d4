// 通知設定 (owner, manager): quiet hours, and for each step that tells the customer the words of
// its message, with a live preview filled from a sample order by the server's own rule
// (data/admin.ts renderTemplate, as chalicelib/outward/notify/steps.py render).
import { useEffect, useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import {
  changeNotificationSettings, NOTIFY_STEPS, notificationSettings, renderTemplate,
  type NotificationSettings, type NotifyStep, type Sample,
} from '../../data/admin';
import { session } from '../../data/client';
import { errorText } from '../errors';
import { Field } from '../Field';
import { Notice } from '../Notice';
import './admin.css';

type Message = { tone: 'error' | 'ok' | 'info'; text: string };
const FIELDS = ['shop', 'plate', 'link', 'total'] as const;

export function NotifyTemplates() {
  const [saved, setSaved] = useState<NotificationSettings | null>(null);
  const [texts, setTexts] = useState<Record<NotifyStep, string> | null>(null);
  const [quiet, setQuiet] = useState({ start: '', end: '' });
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);

  function adopt(settings: NotificationSettings) {
    setSaved(settings);
    setTexts({ ...settings.templates });
    setQuiet({ start: settings.quiet_start, end: settings.quiet_end });
  }
  useEffect(() => {
    notificationSettings().then(adopt, (failure: unknown) =>
      setMessage({ tone: 'error', text: tf('settings.loadFailed', { reason: errorText(failure) }) }));
  }, []);

  const sample: Sample = {
    shop: session.value?.shop.name ?? '', plate: 'ABC-1234', total: 12600,
    link: `${location.origin}/t/Ab3dE5`,
  };

  async function submit(event: Event) {
    event.preventDefault();
    if (!saved || !texts) return;
    const templates = Object.fromEntries(NOTIFY_STEPS.filter((step) => texts[step].trim() !== saved.templates[step])
      .map((step) => [step, texts[step].trim()]));
    const change = {
      ...(Object.keys(templates).length ? { templates } : {}),
      ...(quiet.start !== saved.quiet_start ? { quiet_start: quiet.start } : {}),
      ...(quiet.end !== saved.quiet_end ? { quiet_end: quiet.end } : {}),
    };
    if (!Object.keys(change).length) return setMessage({ tone: 'info', text: t('settings.nothingChanged') });
    if (NOTIFY_STEPS.some((step) => !texts[step].trim())) return setMessage({ tone: 'error', text: t('notify.empty') });
    setBusy(true);
    setMessage(null);
    try {
      const outcome = await changeNotificationSettings(change);
      if (outcome.sent) adopt(outcome.body);
      setMessage({ tone: 'ok', text: outcome.sent ? t('notify.saved') : t('notify.queued') });
    } catch (failure) {
      setMessage({ tone: 'error', text: errorText(failure) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="panel admin" onSubmit={submit} noValidate aria-labelledby="notify-title">
      <h2 id="notify-title">{t('notify.title')}</h2>
      <p class="muted">{t('notify.lead')}</p>
      {!texts ? (message ? <Notice tone={message.tone}>{message.text}</Notice> : <p class="muted">{t('common.loading')}</p>) : (
        <>
          <h3>{t('notify.quiet')}</h3>
          <p class="muted">{t('notify.quietLead')}</p>
          <div class="field-row">
            <Field id="quiet-start" label={t('notify.quietStart')} type="time" value={quiet.start} onValue={(start) => setQuiet({ ...quiet, start })} />
            <Field id="quiet-end" label={t('notify.quietEnd')} type="time" value={quiet.end} onValue={(end) => setQuiet({ ...quiet, end })} />
          </div>
          <p class="notify-fields">
            {t('notify.fields')} {FIELDS.map((name) => <><code key={name}>{`{${name}}`}</code>{` ${t(`notify.field.${name}`)}　`}</>)}
          </p>
          {NOTIFY_STEPS.map((step) => (
            <div class="notify-step" key={step}>
              <label class="field-label" for={`template-${step}`}>
                {t(`notify.step.${step}`)}{saved?.urgent_steps.includes(step) ? ` · ${t('notify.urgent')}` : ''}
              </label>
              <textarea id={`template-${step}`} value={texts[step]} maxLength={500}
                onInput={(event) => setTexts({ ...texts, [step]: event.currentTarget.value })} />
              <span class="notify-preview-label" id={`preview-${step}-label`}>{t('notify.preview')}</span>
              <p class="notify-preview" data-preview={step} aria-labelledby={`preview-${step}-label`}>
                {renderTemplate(texts[step], sample)}
              </p>
            </div>
          ))}
          {message && <Notice tone={message.tone}>{message.text}</Notice>}
          <button type="submit" class="button-primary" disabled={busy}>{t('notify.save')}</button>
        </>
      )}
    </form>
  );
}
