// Money and time as a Taiwanese shop reads them. Money is integer NT$ from the API (never computed
// here); times are stored in UTC and always shown in Asia/Taipei, whatever the device's zone.

export const SHOP_TIME_ZONE = 'Asia/Taipei';
// Taiwan has kept UTC+8 with no daylight saving since 1979.
const TAIPEI_OFFSET_MS = 8 * 60 * 60 * 1000;

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `1234` → `NT$1,234`; a discount `-200` → `-NT$200`. */
export function formatMoney(amount: number): string {
  const sign = amount < 0 ? '-' : '';
  return `${sign}NT$${grouped.format(Math.abs(amount))}`;
}

/** The wall-clock parts of an instant in Taipei. */
function taipeiParts(at: Date) {
  const shifted = new Date(at.getTime() + TAIPEI_OFFSET_MS);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    date: `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}`,
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    time: `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}`,
  };
}

/** Today's date in Taipei, `YYYY-MM-DD`: the shop's day, which the API's `date=` means. */
export function taipeiDate(now: Date = new Date()): string {
  return taipeiParts(now).date;
}

/** `2026-11-22T09:30:00Z` → `17:30`, or `11/22 17:30` when it is not on `today` (Taipei). */
export function formatTime(iso: string, today: string = taipeiDate()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const parts = taipeiParts(at);
  return parts.date === today ? parts.time : `${parts.month}/${parts.day} ${parts.time}`;
}

/** Always with the date: `2026-11-22 17:30`, for histories. */
export function formatDateTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const parts = taipeiParts(at);
  return `${parts.date} ${parts.time}`;
}

/** A `datetime-local` value read as Taipei wall time (`2026-11-22T17:30`) → UTC ISO 8601. */
export function taipeiLocalToIso(local: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number) as number[];
  const utc = Date.UTC(y!, mo! - 1, d!, h!, mi!) - TAIPEI_OFFSET_MS;
  return new Date(utc).toISOString().replace('.000Z', 'Z');
}

/** The other way, for filling a `datetime-local` input: UTC ISO → `2026-11-22T17:30` in Taipei. */
export function isoToTaipeiLocal(iso: string): string {
  const parts = taipeiParts(new Date(iso));
  return `${parts.date}T${parts.time}`;
}

/** The Taipei date `days` after `date` (`YYYY-MM-DD`). */
export function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/** A client-made id for a create (`crypto.randomUUID` needs a secure context; a LAN tablet may not be one). */
export function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `+886912345678` → `0912-345-678`; a landline `+886223456789` → `02-2345-6789`. As stored otherwise. */
export function formatPhone(e164: string): string {
  const mobile = /^\+8869(\d{2})(\d{3})(\d{3})$/.exec(e164);
  if (mobile) return `09${mobile[1]}-${mobile[2]}-${mobile[3]}`;
  const landline = /^\+886([2-8])(\d{3,4})(\d{4})$/.exec(e164);
  if (landline) return `0${landline[1]}-${landline[2]}-${landline[3]}`;
  return e164;
}

/** A `tel:` link that dials the number as stored (digits and the leading +). */
export const telHref = (phone: string) => `tel:${phone.replace(/[^\d+]/g, '')}`;

/**
 * A 統一編號 by the Ministry of Finance's check-digit rule, as chalicelib/core/tax_ids.py checks
 * it: each digit times its weight (1 2 1 2 1 2 4 1), the digits of each product added; valid when
 * the sum divides by 5, or, with 7 as the seventh digit, when the sum plus one does.
 */
export function validTaxId(text: string): boolean {
  if (!/^\d{8}$/.test(text)) return false;
  const weights = [1, 2, 1, 2, 1, 2, 4, 1];
  const sum = [...text].reduce((total, digit, i) => {
    const product = Number(digit) * (weights[i] ?? 0);
    return total + Math.floor(product / 10) + (product % 10);
  }, 0);
  return sum % 5 === 0 || (text[6] === '7' && (sum + 1) % 5 === 0);
}
