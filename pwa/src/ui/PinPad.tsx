import { t } from '../i18n';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const PIN_LENGTH = 6;

/** A big numeric pad for a 6-digit PIN; `onComplete` fires with the sixth digit. */
export function PinPad({ value, onChange, onComplete, disabled }: {
  value: string;
  onChange: (value: string) => void;
  onComplete: (pin: string) => void;
  disabled?: boolean;
}) {
  const press = (digit: string) => {
    if (disabled || value.length >= PIN_LENGTH) return;
    const next = value + digit;
    onChange(next);
    if (next.length === PIN_LENGTH) onComplete(next);
  };
  return (
    <div class="pin">
      <div class="pin-dots" role="img" aria-label={`${t('signIn.pinLabel')} ${value.length}/${PIN_LENGTH}`}>
        {Array.from({ length: PIN_LENGTH }, (_, i) => (
          <span key={i} class={i < value.length ? 'pin-dot pin-dot-filled' : 'pin-dot'} />
        ))}
      </div>
      <div class="pin-pad">
        {KEYS.map((digit) => (
          <button type="button" key={digit} class="pin-key" disabled={disabled} onClick={() => press(digit)}>{digit}</button>
        ))}
        <span />
        <button type="button" class="pin-key" disabled={disabled} onClick={() => press('0')}>0</button>
        <button
          type="button"
          class="pin-key pin-key-delete"
          aria-label={t('signIn.pinDelete')}
          disabled={disabled || value.length === 0}
          onClick={() => onChange(value.slice(0, -1))}
        >
          ⌫
        </button>
      </div>
    </div>
  );
}
