// A supplier's price list (價目表) into the catalogue's parts: the file straight to storage
// through the API's upload form, a dry run (the preview: counts and bad rows by line, nothing
// written), then the import itself on the same file. Managers only, and online only: a person
// watches it happen, like the customers' CSV import (data/portability.ts).
import { http } from './client';
import { ApiError, OfflineError } from './http';
import { newId } from './format';

export type Grade = 'oem' | 'aftermarket' | 'reman' | 'used';
export const GRADES: Grade[] = ['oem', 'aftermarket', 'reman', 'used'];
export type PriceListFormat = 'csv' | 'xlsx';

export interface PriceListJob {
  import_id: string; format: PriceListFormat; state: 'queued' | 'running' | 'done' | 'failed';
  percent: number; dry_run: boolean; encoding: 'utf-8' | 'big5' | 'xlsx' | null;
  rows: number; created: number; updated: number; unchanged: number; bad: number;
  errors: { line: number; field: string; message: string }[]; errors_kept: number;
  /** Why the job ended without importing (a list above the row limit), in the person's language. */
  refusal?: { code: string; message: string } | null;
}
export interface PriceListOptions { grade?: Grade; supplier?: string }

/** The largest file storage takes (the API's upload form says the same). */
export const PRICE_LIST_MAX_BYTES = 10 * 1024 * 1024;
const CONTENT_TYPES: Record<PriceListFormat, string> = {
  csv: 'text/csv', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export const formatOf = (file: File): PriceListFormat | null =>
  /\.xlsx$/i.test(file.name) ? 'xlsx' : /\.csv$/i.test(file.name) ? 'csv' : null;

/** The file uploaded, then its dry run started. */
export async function checkPriceList(file: File, format: PriceListFormat, options: PriceListOptions,
  fetchImpl: typeof fetch = fetch): Promise<PriceListJob> {
  const importId = newId();
  const form = await http.request<{ url: string; fields: Record<string, string> }>(
    'POST', '/api/catalogue/imports/uploads', { import_id: importId, format });
  const body = new FormData();
  for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
  // The file goes last in an S3 POST form, typed as the form's policy says.
  body.append('file', new Blob([file], { type: CONTENT_TYPES[format] }), `price-list.${format}`);
  let answer: Response;
  try {
    answer = await fetchImpl(form.url, { method: 'POST', body });
  } catch {
    throw new OfflineError();
  }
  if (!answer.ok) throw new ApiError(answer.status, `storage_${answer.status}`, `storage answered ${answer.status}`);
  return startPriceList(importId, format, true, options);
}

/** The dry run (`dryRun`) or the import itself of a file already uploaded. */
export const startPriceList = (importId: string, format: PriceListFormat, dryRun: boolean,
  options: PriceListOptions) =>
  http.request<PriceListJob>('POST', '/api/catalogue/imports', {
    import_id: importId, format, dry_run: dryRun,
    ...(options.grade ? { grade: options.grade } : {}),
    ...(options.supplier ? { supplier: options.supplier } : {}),
  });

export const priceListStatus = (importId: string) =>
  http.request<PriceListJob>('GET', `/api/catalogue/imports/${encodeURIComponent(importId)}`);
