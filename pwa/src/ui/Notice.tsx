import type { ComponentChildren } from 'preact';

/** A message inside a screen: an error (read out at once) or a plain note. */
export function Notice({ tone = 'error', children }: { tone?: 'error' | 'info' | 'ok'; children: ComponentChildren }) {
  return (
    <p class={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : undefined} aria-live="polite">
      {children}
    </p>
  );
}
