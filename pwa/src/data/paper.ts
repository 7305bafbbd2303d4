// The standard's documents as A4 PDFs (KPS5220-004v1): each is made by the API on request and
// answered as a 15-minute link, so they need the network. The shop's choice of 民國 dates on
// them is one of its settings.
import { remember } from './cache';
import { http, queue } from './client';
import { ApiError, OfflineError } from './http';
import type { ShopSettings } from './inspection';
import type { DocumentKind, FileLink } from './types';

const q = (value: string) => encodeURIComponent(value);

/** The 預約表 of a day, or of the week (Monday to Sunday) the day falls in. */
export const appointmentsPdf = (day: string, span: 'day' | 'week') =>
  http.request<FileLink>('GET', `/api/appointments/pdf?${span}=${q(day)}`);
/** The whole 檢修確認表 of an order: every field, the damage diagram, the photos. */
export const inspectionPdf = (orderId: string) =>
  http.request<FileLink>('GET', `/api/orders/${q(orderId)}/inspection/pdf`);
/** The 維修後關懷紀錄表 of a day: its calls and the cases they opened. */
export const followupsPdf = (day: string) =>
  http.request<FileLink>('GET', `/api/followups/pdf?day=${q(day)}`);
/** A signed document as it would be signed now, marked a draft on every page. */
export const draftPdf = (orderId: string, kind: DocumentKind) =>
  http.request<FileLink>('GET', `/api/orders/${q(orderId)}/documents/${q(kind)}/pdf`);

/** A made file's bytes (for printing from a frame of the app's own origin). */
export async function fileBytes(url: string): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-store' });
  } catch {
    throw new OfflineError();
  }
  if (!response.ok) throw new ApiError(response.status, `http_${response.status}`, `HTTP ${response.status}`);
  return new Blob([await response.arrayBuffer()], { type: 'application/pdf' });
}

/** Print dates on every document in 民國 years (民國115年12月07日) or as 2026-12-07. */
export async function setDatesRoc(roc: boolean) {
  const outcome = await queue.submit<ShopSettings>('PATCH', '/api/shop/settings', { dates_roc: roc });
  if (outcome.sent) remember('shop/settings', outcome.body);
  return outcome;
}
