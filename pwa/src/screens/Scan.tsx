import { useEffect, useRef, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { moveTags } from '../data/api';
import { queue, session } from '../data/client';
import {
  addToBatch, applyBatchAnswer, codeFromScan, codesToSend, displayCode, emptyDraft, formatEntry, moveFromDraft, normaliseCode,
  removeFromBatch, scanGate, type BatchItem, type MoveDraft,
} from '../data/parts';
import type { BatchAnswer, PartState } from '../data/types';
import { errorText } from '../ui/errors';
import { Notice } from '../ui/Notice';
import { PartMoveFields, problemText } from '../ui/PartMoveFields';
import { navigate, partsReportPath, scanPath, tagPath } from '../ui/router';
import { createDecoder } from '../ui/scan/decoder';
import './scan.css';

/** How often a frame is read (ms): often enough to feel instant, rare enough to spare a phone's battery. */
const FRAME_EVERY_MS = 180;
/** Where a crate's tags can go in one move. */
const BATCH_TARGETS: readonly PartState[] = ['held', 'shown_to_customer', 'disposed'];

type CameraState = 'starting' | 'on' | 'denied' | 'unavailable';

// ---------------------------------------------------------------------------------------------
// Feedback on a good read: a short beep (Web Audio, no sound file) and a buzz where phones have one.

let audio: AudioContext | null = null;

/** Browsers start sound only from a tap: make (or wake) the audio context on the screen's first one. */
function unlockAudio(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
  } catch {
    audio = null; // no Web Audio: silent
  }
}

function beep(): void {
  navigator.vibrate?.(60);
  if (!audio || audio.state !== 'running') return;
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  oscillator.frequency.value = 1760;
  gain.gain.setValueAtTime(0.15, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.12);
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start();
  oscillator.stop(audio.currentTime + 0.13);
}

// ---------------------------------------------------------------------------------------------

/**
 * The camera, read continuously: the rear camera where there is one, each code handed to `onCode`
 * once (the same code seen again within a moment is ignored), anything else to `onOther`.
 */
function useCamera(onCode: (code: string) => void, onOther: () => void) {
  const video = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<CameraState>('starting');
  const [track, setTrack] = useState<MediaStreamTrack | null>(null);
  const [torch, setTorch] = useState<boolean | null>(null); // null: the camera has no light to turn on
  const handlers = useRef({ onCode, onOther });
  handlers.current = { onCode, onOther };

  useEffect(() => {
    let stopped = false;
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const pass = scanGate();
    const otherGate = scanGate(4000);

    async function start() {
      if (!navigator.mediaDevices?.getUserMedia) return setState('unavailable');
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false,
        });
      } catch (failure) {
        const name = (failure as { name?: string }).name;
        return setState(name === 'NotAllowedError' || name === 'SecurityError' ? 'denied' : 'unavailable');
      }
      if (stopped) return stream.getTracks().forEach((t) => t.stop());
      const element = video.current!;
      element.srcObject = stream;
      await element.play().catch(() => undefined);
      const [videoTrack] = stream.getVideoTracks();
      if (videoTrack) {
        setTrack(videoTrack);
        const capabilities = videoTrack.getCapabilities?.() as { torch?: boolean } | undefined;
        setTorch(capabilities?.torch ? false : null);
      }
      let decoder;
      try {
        decoder = await createDecoder();
      } catch (failure) {
        console.warn('No QR reader could be loaded.', failure);
        return setState('unavailable');
      }
      if (stopped) return;
      setState('on');
      const read = async () => {
        if (stopped) return;
        if (element.readyState >= element.HAVE_CURRENT_DATA && !document.hidden) {
          const texts = await decoder.decode(element).catch(() => [] as string[]);
          for (const text of texts) {
            const code = codeFromScan(text);
            if (code) {
              if (pass(code)) handlers.current.onCode(code);
            } else if (otherGate(text)) {
              handlers.current.onOther();
            }
          }
        }
        if (!stopped) timer = setTimeout(() => void read(), FRAME_EVERY_MS);
      };
      void read();
    }

    void start();
    return () => {
      stopped = true;
      clearTimeout(timer);
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, []);

  async function toggleTorch() {
    if (!track || torch === null) return;
    try {
      await track.applyConstraints({ advanced: [{ torch: !torch } as MediaTrackConstraintSet] });
      setTorch(!torch);
    } catch {
      setTorch(null);
    }
  }

  return { video, state, torch, toggleTorch };
}

/**
 * The scan screen (掃描): the camera reads tag after tag. One at a time, a read opens the tag; in
 * a batch (移到暫存區), each read joins a list and one request moves them all.
 */
export function Scan({ batch }: { batch: boolean }) {
  const [items, setItems] = useState<BatchItem[]>([]);
  const itemsNow = useRef(items);
  itemsNow.current = items;
  const [message, setMessage] = useState<{ tone: 'ok' | 'info' | 'error'; text: string } | null>(null);
  const role = session.value?.staff.role;

  function take(code: string, fromCamera: boolean) {
    if (!batch) {
      if (fromCamera) beep();
      navigate(tagPath(code));
      return;
    }
    const { list, added } = addToBatch(itemsNow.current, code);
    itemsNow.current = list;
    setItems(list);
    if (added && fromCamera) beep();
    setMessage(added
      ? { tone: 'ok', text: tf('scan.added', { code: displayCode(code) }) }
      : { tone: 'info', text: tf('scan.duplicate', { code: displayCode(code) }) });
  }

  const camera = useCamera((code) => take(code, true), () => setMessage({ tone: 'error', text: t('scan.notOurs') }));

  return (
    <section class="screen screen-narrow scan" aria-labelledby="scan-title" onPointerDown={unlockAudio}>
      <div class="screen-head">
        <h1 id="scan-title">{t('scan.title')}</h1>
        {role !== 'technician' && <a class="button-secondary scan-report" href={`#${partsReportPath}`}>{t('scan.report')}</a>}
        {role !== 'technician' && <a class="button-secondary phone-only" href="#/stock">{t('stock.nav')}</a>}
      </div>
      <div class="choice scan-modes" role="group" aria-label={t('scan.modeLabel')}>
        <a class="choice-option" href={`#${scanPath(false)}`} aria-current={!batch ? 'page' : undefined}>{t('scan.modeSingle')}</a>
        <a class="choice-option" href={`#${scanPath(true)}`} aria-current={batch ? 'page' : undefined}>{t('scan.modeBatch')}</a>
      </div>

      <div class={`scan-camera scan-camera-${camera.state}`}>
        <video ref={camera.video} class="scan-video" muted playsInline aria-label={t('scan.camera')} />
        <div class="scan-frame" aria-hidden="true" />
        <p class="scan-caption" aria-live="polite">
          {camera.state === 'starting' ? t('scan.starting')
            : camera.state === 'on' ? t('scan.aim')
            : camera.state === 'denied' ? t('scan.cameraDenied') : t('scan.noCamera')}
        </p>
        {camera.torch !== null && (
          <button type="button" class="scan-torch" aria-pressed={camera.torch} onClick={() => void camera.toggleTorch()}>
            {camera.torch ? t('scan.torchOff') : t('scan.torchOn')}
          </button>
        )}
      </div>

      {message && <Notice tone={message.tone}>{message.text}</Notice>}

      <ManualEntry batch={batch} onCode={(code) => take(code, false)} />

      {batch && <BatchMove items={items} onItems={setItems} onMessage={setMessage} />}
    </section>
  );
}

/** Typing the code printed under the QR, for a torn or wet label or a camera that will not start. */
function ManualEntry({ batch, onCode }: { batch: boolean; onCode: (code: string) => void }) {
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState(false);
  function submit(event: Event) {
    event.preventDefault();
    const code = normaliseCode(text);
    if (!code) return setInvalid(true);
    setInvalid(false);
    setText('');
    onCode(code);
  }
  return (
    <form class="scan-manual" onSubmit={submit} noValidate>
      <div class="field">
        <label class="field-label" for="scan-code">{t('scan.manualLabel')}</label>
        <div class="scan-manual-row">
          <input id="scan-code" class="input-code" value={text} autoComplete="off" autoCapitalize="characters" spellcheck={false}
            enterKeyHint={batch ? 'next' : 'go'} maxLength={9} aria-describedby="scan-code-hint" aria-invalid={invalid}
            onInput={(event) => setText(formatEntry(event.currentTarget.value))} />
          <button type="submit" class="button-primary">{batch ? t('scan.add') : t('scan.open')}</button>
        </div>
        <p class="field-hint" id="scan-code-hint">{invalid ? t('scan.manualInvalid') : t('scan.manualHint')}</p>
      </div>
    </form>
  );
}

/** A crate's tags, where they go, and one request for all of them; each tag's outcome beside it. */
function BatchMove({ items, onItems, onMessage }: {
  items: BatchItem[];
  onItems: (update: (items: BatchItem[]) => BatchItem[]) => void;
  onMessage: (message: { tone: 'ok' | 'info' | 'error'; text: string } | null) => void;
}) {
  const [to, setTo] = useState<PartState>('held');
  const [draft, setDraft] = useState<MoveDraft>(emptyDraft());
  const [busy, setBusy] = useState(false);
  const waiting = codesToSend(items);

  // A batch queued while offline is answered later: show each tag's outcome then, if still here.
  useEffect(() => queue.onSent((write, answer) => {
    if (write.kind !== 'photo' && write.path === '/api/parts/moves' && answer) {
      onItems((current) => applyBatchAnswer(current, answer as BatchAnswer));
    }
  }), [onItems]);

  async function moveAll() {
    const built = moveFromDraft(to, draft);
    if ('problem' in built) return onMessage({ tone: 'error', text: problemText(built.problem) });
    setBusy(true);
    onMessage(null);
    try {
      const outcome = await moveTags(waiting, built.move);
      if (outcome.sent) {
        onItems((current) => applyBatchAnswer(current, outcome.body));
        onMessage({ tone: outcome.body.failed ? 'error' : 'ok', text: tf('scan.result', { moved: outcome.body.moved, failed: outcome.body.failed }) });
      } else {
        onMessage({ tone: 'info', text: t('common.queued') });
      }
    } catch (failure) {
      onMessage({ tone: 'error', text: errorText(failure) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="panel batch" aria-labelledby="batch-title">
      <div class="panel-head">
        <h2 id="batch-title">{t('scan.batchList')}</h2>
        <span class="count">{tf('scan.batchCount', { n: items.length })}</span>
      </div>
      {items.length === 0 && <p class="muted">{t('scan.batchEmpty')}</p>}
      {items.length > 0 && (
        <ul class="batch-list">
          {items.map((item) => (
            <li key={item.code} class={`batch-item batch-item-${item.status}`}>
              <span class="batch-mark" aria-hidden="true">{item.status === 'failed' ? '✕' : '✓'}</span>
              <span class="batch-text">
                <span class="part-code">{displayCode(item.code)}</span>
                {item.tag && <span class="muted">{item.tag.part_name}{item.tag.plate ? ` · ${item.tag.plate}` : ''}</span>}
                {item.message && <span class="batch-error">{item.message}</span>}
              </span>
              <span class="batch-status">
                {t(item.status === 'moved' ? 'scan.moved' : item.status === 'failed' ? 'scan.failed' : 'scan.waiting')}
              </span>
              {item.status !== 'moved' && (
                <button type="button" class="button-link" aria-label={tf('scan.remove', { code: displayCode(item.code) })}
                  onClick={() => onItems((current) => removeFromBatch(current, item.code))}>✕</button>
              )}
            </li>
          ))}
        </ul>
      )}
      <div class="field" role="group" aria-label={t('scan.target')}>
        <span class="field-label" aria-hidden="true">{t('scan.target')}</span>
        <div class="choice">
          {BATCH_TARGETS.map((target) => (
            <button type="button" key={target} class="choice-option" aria-pressed={to === target} onClick={() => setTo(target)}>
              {t(`partAction.${target}`)}
            </button>
          ))}
        </div>
      </div>
      <PartMoveFields to={to} draft={draft} onDraft={setDraft} id="batch" />
      <div class="button-row">
        <button type="button" class="button-primary batch-submit" disabled={busy || waiting.length === 0} onClick={() => void moveAll()}>
          {busy ? t('scan.moving') : tf('scan.moveAll', { n: waiting.length })}
        </button>
        {items.length > 0 && (
          <button type="button" class="button-secondary" disabled={busy} onClick={() => { onItems(() => []); onMessage(null); }}>
            {t('scan.clear')}
          </button>
        )}
      </div>
    </section>
  );
}
