// Hand-over mode (交給客戶): while the customer holds the tablet to read or sign a document, only
// that document is reachable; the staff member takes the tablet back with their own PIN (or
// password). Kept in localStorage, so a reload or the app opened again stays in it.
import { signal } from '@preact/signals';
import type { DocumentKind } from './types';

export interface HandOver { orderId: string; kind: DocumentKind; staffId: string }

const KEY = 'servicelane.handover';

function stored(): HandOver | null {
  try {
    const raw = globalThis.localStorage?.getItem(KEY);
    return raw ? (JSON.parse(raw) as HandOver) : null;
  } catch {
    return null;
  }
}

function keep(value: HandOver | null): void {
  try {
    if (value) globalThis.localStorage?.setItem(KEY, JSON.stringify(value));
    else globalThis.localStorage?.removeItem(KEY);
  } catch {
    // Private mode without storage: the mode still holds until a reload.
  }
}

export const handover = signal<HandOver | null>(stored());

export function beginHandover(value: HandOver): void {
  handover.value = value;
  keep(value);
}

export function endHandover(): void {
  handover.value = null;
  keep(null);
}
