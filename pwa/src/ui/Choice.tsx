/** A row of big toggle buttons for one choice among few (channel, fuel, kind …). */
export function Choice<T extends string>({ label, value, options, onChange }: {
  label: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
}) {
  return (
    <div class="field" role="group" aria-label={label}>
      <span class="field-label" aria-hidden="true">{label}</span>
      <div class="choice">
        {options.map((option) => (
          <button
            type="button"
            key={option.value}
            class="choice-option"
            aria-pressed={option.value === value}
            onClick={() => onChange(option.value)}
          >
            {option.label}
          </button>
        ))}
      </div>
    </div>
  );
}
