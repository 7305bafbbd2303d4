/** The input attributes the screens use (numeric keypads, autofill, keyboards). */
interface InputOptions {
  type?: 'text' | 'tel' | 'password' | 'time' | 'datetime-local';
  inputMode?: 'text' | 'tel' | 'numeric' | 'decimal' | 'email';
  pattern?: string;
  autoComplete?: string;
  autoCapitalize?: 'characters' | 'none';
  enterKeyHint?: 'next' | 'go' | 'done' | 'search';
  maxLength?: number;
  class?: string;
}

/** A labelled input; `onValue` gets the text. */
export function Field({ label, hint, value, onValue, id, ...input }: InputOptions & {
  label: string;
  hint?: string;
  value: string;
  id: string;
  onValue: (value: string) => void;
}) {
  return (
    <div class="field">
      <label class="field-label" for={id}>{label}</label>
      <input
        id={id}
        value={value}
        onInput={(event) => onValue(event.currentTarget.value)}
        aria-describedby={hint ? `${id}-hint` : undefined}
        // Preact types each `type` of <input> apart; a union from props is checked above instead.
        {...(input as Record<string, unknown>)}
      />
      {hint && <p class="field-hint" id={`${id}-hint`}>{hint}</p>}
    </div>
  );
}

/** A whole number typed on the numeric keypad: `''` when empty, NaN when not a number. */
export function wholeNumber(text: string): number | undefined {
  const trimmed = text.trim().replace(/,/g, '');
  if (trimmed === '') return undefined;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

/** A decimal (hours): `1.5`. */
export function decimalNumber(text: string): number | undefined {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return undefined;
  return /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}
