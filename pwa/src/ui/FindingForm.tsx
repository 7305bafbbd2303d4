import { useEffect, useRef, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { addPhoto, proposeLine } from '../data/api';
import { newId } from '../data/format';
import { photoToSend } from '../data/photos';
import { Choice } from './Choice';
import { errorText } from './errors';
import { Field } from './Field';
import { Notice } from './Notice';

const AREAS = ['LF', 'RF', 'LR', 'RR', 'engine', 'underbody', 'cabin', 'body'] as const;

/**
 * What a technician found, from the job on the phone: what, why (the customer reads it), where,
 * and photos taken right there. The photos belong to the line (subject `line.<id>`); all of it
 * goes through the write queue, so it waits out a bay with no Wi-Fi.
 */
export function FindingForm({ orderId, onDone, onCancel }: { orderId: string; onDone: () => void; onCancel: () => void }) {
  const [lineId] = useState(newId);
  const [kind, setKind] = useState<'labour' | 'part'>('part');
  const [what, setWhat] = useState('');
  const [why, setWhy] = useState('');
  const [area, setArea] = useState<string | null>(null);
  const [shots, setShots] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState(false);
  const camera = useRef<HTMLInputElement>(null);

  useEffect(() => () => shots.forEach((url) => URL.revokeObjectURL(url)), []); // eslint-disable-line react-hooks/exhaustive-deps

  async function takePhotos(files: FileList) {
    setError(null);
    for (const file of Array.from(files)) {
      try {
        const blob = await photoToSend(file);
        setShots((current) => [...current, URL.createObjectURL(blob)]);
        await addPhoto(orderId, newId(), `line.${lineId}`, blob);
      } catch (failure) {
        setError(errorText(failure));
      }
    }
  }

  async function send() {
    if (!what.trim() || !why.trim()) {
      setError(t('finding.needWhat'));
      return;
    }
    setSending(true);
    setError(null);
    try {
      await proposeLine(orderId, lineId, {
        kind, description: what.trim(), reason: why.trim(),
        ...(area ? { area: t(`area.${area}` as 'area.LF') } : {}), ...(kind === 'part' ? { quantity: 1 } : {}),
      });
      setSent(true);
      setTimeout(onDone, 1500);
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setSending(false);
    }
  }

  if (sent) return <div class="job-form"><Notice tone="info">{t('finding.sent')}</Notice></div>;
  return (
    <div class="job-form" role="group" aria-label={t('finding.title')}>
      <h3>{t('finding.title')}</h3>
      <button type="button" class="button-primary button-big button-camera" onClick={() => camera.current?.click()}>
        {t('finding.photo')}{shots.length ? `（${tf('finding.photos', { n: shots.length })}）` : ''}
      </button>
      <input ref={camera} type="file" accept="image/*" capture="environment" multiple hidden data-testid="finding-camera"
        onChange={(event) => {
          const files = event.currentTarget.files;
          if (files?.length) void takePhotos(files);
          event.currentTarget.value = '';
        }} />
      {shots.length > 0 && (
        <div class="finding-shots">{shots.map((url) => <img key={url} src={url} alt="" width={96} height={72} />)}</div>
      )}
      <Choice label={t('finding.kind')} value={kind} onChange={setKind}
        options={[{ value: 'part', label: t('line.part') }, { value: 'labour', label: t('line.labour') }]} />
      <Field id={`finding-what-${lineId}`} label={t('finding.what')} hint={t('finding.whatHint')} value={what} onValue={setWhat} maxLength={200} autoComplete="off" />
      <Field id={`finding-why-${lineId}`} label={t('finding.why')} hint={t('finding.whyHint')} value={why} onValue={setWhy} maxLength={500} autoComplete="off" />
      <div class="field" role="group" aria-label={t('finding.area')}>
        <span class="field-label" aria-hidden="true">{t('finding.area')}</span>
        <div class="choice choice-wrap">
          {AREAS.map((code) => (
            <button type="button" key={code} class="choice-option" aria-pressed={area === code}
              onClick={() => setArea(area === code ? null : code)}>{t(`area.${code}`)}</button>
          ))}
        </div>
      </div>
      {error && <Notice>{error}</Notice>}
      <div class="job-order-actions">
        <button type="button" class="button-primary button-big" disabled={sending} onClick={() => void send()}>{t('finding.send')}</button>
        <button type="button" class="button-secondary" onClick={onCancel}>{t('jobs.cancel')}</button>
      </div>
    </div>
  );
}
