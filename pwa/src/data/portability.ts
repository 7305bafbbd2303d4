// Data rights and portability (個資法): a customer's export and erasure, the shop's export, the
// CSV import. Managers only, and online only: each is a deliberate act a person watches happen
// (an erasure must not wait in the queue and run later behind the manager's back).
import { http } from './client';
import { ApiError, OfflineError } from './http';
import { newId } from './format';
import type { Customer, Vehicle } from './types';

export interface Download { url: string; filename: string }
/** An export runs as a job on the server (a shop's can take minutes): started, then followed. */
export interface ExportJob {
  job_id: string; kind: 'shop' | 'customer'; customer_id?: string;
  state: 'queued' | 'running' | 'done' | 'failed'; percent: number;
  counts: Record<string, number>; files?: { json: Download; csv: Download }; expires_in?: number;
}
export interface Erasure { customer_id: string; erased_at: string; audit_id: string; counts: Record<string, number> }
/** An erasure runs as a job too (a customer with years of orders has much to rewrite); it ends
 * `failed` with the reason when it must not be done (an open order or booking). */
export interface ErasureJob {
  job_id: string; kind: 'erasure'; customer_id: string;
  state: 'queued' | 'running' | 'done' | 'failed'; percent: number;
  erasure?: Erasure; error?: { code: string; message: string };
}
/** An import runs as a job too: its counts grow as it goes, its bad rows are listed by line. */
export interface ImportJob {
  import_id: string; state: 'queued' | 'running' | 'done' | 'failed'; percent: number;
  rows: number; row_limit: number;
  customers_created: number; customers_existing: number;
  vehicles_created: number; vehicles_existing: number; bad_rows: number;
  errors: { line: number; message: string }[]; errors_kept: number;
}
export type CustomerPage = Customer & { vehicles: Vehicle[]; erased_at?: string };

/** The largest file storage takes (the API's upload form says the same); 50,000 rows at most. */
export const IMPORT_MAX_BYTES = 10 * 1024 * 1024;

export const customerPage = (customerId: string) =>
  http.request<CustomerPage>('GET', `/api/customers/${encodeURIComponent(customerId)}`);
export const eraseCustomer = (customerId: string, confirmName: string) =>
  http.request<ErasureJob>('POST', `/api/customers/${encodeURIComponent(customerId)}/erasure`,
    { client_id: newId(), confirm_name: confirmName });
export const erasureStatus = (jobId: string) =>
  http.request<ErasureJob>('GET', `/api/erasures/${encodeURIComponent(jobId)}`);
export const startExport = (kind: ExportJob['kind'], customerId?: string) =>
  http.request<ExportJob>('POST', '/api/exports',
    { job_id: newId(), kind, ...(customerId ? { customer_id: customerId } : {}) });
export const exportStatus = (jobId: string) =>
  http.request<ExportJob>('GET', `/api/exports/${encodeURIComponent(jobId)}`);
/** The file straight to storage through the API's upload form, then the import started. */
export async function startImport(file: File, fetchImpl: typeof fetch = fetch): Promise<ImportJob> {
  const importId = newId();
  const form = await http.request<{ upload: { url: string; fields: Record<string, string> } }>(
    'POST', '/api/imports/uploads', { import_id: importId });
  const body = new FormData();
  for (const [name, value] of Object.entries(form.upload.fields)) body.append(name, value);
  body.append('file', file, 'import.csv'); // the file goes last in an S3 POST form
  let answer: Response;
  try {
    answer = await fetchImpl(form.upload.url, { method: 'POST', body });
  } catch {
    throw new OfflineError();
  }
  if (!answer.ok) throw new ApiError(answer.status, `storage_${answer.status}`, `storage answered ${answer.status}`);
  return http.request<ImportJob>('POST', '/api/imports', { import_id: importId });
}
export const importStatus = (importId: string) =>
  http.request<ImportJob>('GET', `/api/imports/${encodeURIComponent(importId)}`);
