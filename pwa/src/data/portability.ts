// Data rights and portability (個資法): a customer's export and erasure, the shop's export, the
// CSV import. Managers only, and online only: each is a deliberate act a person watches happen
// (an erasure must not wait in the queue and run later behind the manager's back).
import { http } from './client';
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
export interface ImportReport {
  import_id: string; rows: number; row_limit: number;
  customers_created: number; customers_existing: number;
  vehicles_created: number; vehicles_existing: number;
  errors: { line: number; message: string }[];
}
export type CustomerPage = Customer & { vehicles: Vehicle[]; erased_at?: string };

/** The file's text must fit one request (the API takes 64 KB; the row limit is 500). */
export const IMPORT_MAX_BYTES = 60_000;

export const customerPage = (customerId: string) =>
  http.request<CustomerPage>('GET', `/api/customers/${encodeURIComponent(customerId)}`);
export const eraseCustomer = (customerId: string, confirmName: string) =>
  http.request<Erasure>('POST', `/api/customers/${encodeURIComponent(customerId)}/erasure`,
    { client_id: newId(), confirm_name: confirmName });
export const startExport = (kind: ExportJob['kind'], customerId?: string) =>
  http.request<ExportJob>('POST', '/api/exports',
    { job_id: newId(), kind, ...(customerId ? { customer_id: customerId } : {}) });
export const exportStatus = (jobId: string) =>
  http.request<ExportJob>('GET', `/api/exports/${encodeURIComponent(jobId)}`);
export const importCsv = (csv: string) =>
  http.request<ImportReport>('POST', '/api/shop/imports', { import_id: newId(), csv });
