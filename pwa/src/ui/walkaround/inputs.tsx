// Inputs of the walk-around: a field that records its value when the advisor leaves it (not on
// each key), a colour badge, and the camera button.
import { useRef, useState } from 'preact/hooks';
import { t, tf } from '../../i18n';
import type { Colour } from '../../data/inspection';
import type { Walkaround } from '../../data/walkaround';

/**
 * A labelled input whose text is recorded on `change` (leaving the field or Enter). `parse` turns
 * the text into the value to record: `undefined` clears the field, `null` is refused with
 * `invalid`.
 */
export function CommitField({ id, label, shown, parse, onCommit, invalid, inputMode = 'text', hint, disabled, class: cls, maxLength, hideLabel, placeholder }: {
  id: string;
  label: string;
  shown: string;
  parse: (text: string) => unknown;
  onCommit: (value: unknown) => void;
  invalid: string;
  inputMode?: 'text' | 'numeric' | 'decimal';
  hint?: string;
  disabled?: boolean;
  class?: string;
  maxLength?: number;
  hideLabel?: boolean;
  placeholder?: string;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const [refused, setRefused] = useState(false);
  function commit(text: string) {
    const value = text.trim() === '' ? undefined : parse(text);
    if (value === null) {
      setRefused(true);
      return;
    }
    setRefused(false);
    setDraft(null);
    if (text.trim() !== shown.trim()) onCommit(value === undefined ? null : value);
  }
  return (
    <div class={`field commit-field ${cls ?? ''}`}>
      <label class={hideLabel ? 'visually-hidden' : 'field-label'} for={id}>{label}</label>
      <input id={id} value={draft ?? shown} disabled={disabled} inputMode={inputMode} autoComplete="off"
        maxLength={maxLength} placeholder={placeholder} pattern={inputMode === 'numeric' ? '[0-9]*' : undefined}
        enterKeyHint="done" aria-invalid={refused || undefined}
        aria-describedby={refused ? `${id}-invalid` : hint ? `${id}-hint` : undefined}
        onInput={(event) => setDraft(event.currentTarget.value)}
        onChange={(event) => commit(event.currentTarget.value)}
        onKeyDown={(event) => event.key === 'Enter' && event.currentTarget.blur()} />
      {refused ? <p class="field-error" id={`${id}-invalid`} role="alert">{invalid}</p>
        : hint && <p class="field-hint" id={`${id}-hint`}>{hint}</p>}
    </div>
  );
}

export const wholeIn = (min: number, max: number) => (text: string) => {
  const clean = text.trim().replace(/[,\s]/g, '');
  if (!/^\d+$/.test(clean)) return null;
  const n = Number(clean);
  return n >= min && n <= max ? n : null;
};

export const decimalIn = (min: number, max: number) => (text: string) => {
  const clean = text.trim().replace(',', '.');
  if (!/^\d+(\.\d)?$/.test(clean)) return null;
  const n = Number(clean);
  return n >= min && n <= max ? n : null;
};

export function ColourBadge({ colour }: { colour: Colour | null | undefined }) {
  if (!colour) return null;
  return <span class={`badge badge-${colour}`}>{t(`walk.colour.${colour}`)}</span>;
}

export function CameraIcon() {
  return (
    <svg width="26" height="26" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8"
      stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      <path d="M4 7.5h3l1.6-2.5h6.8L17 7.5h3a1.5 1.5 0 0 1 1.5 1.5v9a1.5 1.5 0 0 1-1.5 1.5H4A1.5 1.5 0 0 1 2.5 18V9A1.5 1.5 0 0 1 4 7.5z" />
      <circle cx="12" cy="13" r="3.6" />
    </svg>
  );
}

/** One tap opens the rear camera; each shot is shrunk and queued under `subject`. */
export function PhotoButton({ w, subject, label, disabled, compact }: {
  w: Walkaround; subject: string; label: string; disabled?: boolean; compact?: boolean;
}) {
  const input = useRef<HTMLInputElement>(null);
  const count = w.photos.value.filter((p) => p.subject === subject).length;
  return (
    <>
      <button type="button" class={`photo-button${compact ? ' photo-button-compact' : ''}`} disabled={disabled}
        aria-label={count ? `${label}（${tf('walk.photoCount', { n: count })}）` : label}
        onClick={() => input.current?.click()}>
        <CameraIcon />
        {!compact && <span>{label}</span>}
        {count > 0 && <span class="photo-count" aria-hidden="true">{count}</span>}
      </button>
      <input ref={input} type="file" accept="image/*" capture="environment" hidden
        onChange={(event) => {
          const files = [...(event.currentTarget.files ?? [])];
          event.currentTarget.value = ''; // the same file again is a new photo
          for (const file of files) void w.takePhoto(subject, file);
        }} />
    </>
  );
}

/** Thumbnails of one subject's photos (the tablet's own copy until uploaded). */
export function PhotoStrip({ w, subject }: { w: Walkaround; subject: string }) {
  const photos = w.photos.value.filter((p) => p.subject === subject);
  if (!photos.length) return null;
  return (
    <ul class="photo-strip">
      {photos.map((photo) => (
        <li key={photo.photo_id} class={photo.synced ? 'photo-synced' : 'photo-waiting'}>
          {photo.url ? <img src={photo.url} alt="" loading="lazy" /> : <span class="photo-blank" />}
        </li>
      ))}
    </ul>
  );
}
