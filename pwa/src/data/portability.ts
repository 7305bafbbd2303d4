// Data rights and portability (個資法): a customer's export and erasure, the shop's export, the
// CSV import. Managers only, and online only: each is a deliberate act a person watches happen
// (an erasure must not wait in the queue and run later behind the manager's back).
import { http } from './client';
import { newId } from './format';
import type { Customer, Vehicle } from './types';

export interface Download { url: string; filename: string }
export interface ExportAnswer {
  json: Download; csv: Download; expires_in: number; audit_id: string;
  counts: Record<string, number>;
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
export const exportCustomer = (customerId: string) =>
  http.request<ExportAnswer>('POST', `/api/customers/${encodeURIComponent(customerId)}/export`);
export const eraseCustomer = (customerId: string, confirmName: string) =>
  http.request<Erasure>('POST', `/api/customers/${encodeURIComponent(customerId)}/erasure`,
    { client_id: newId(), confirm_name: confirmName });
export const exportShop = () => http.request<ExportAnswer>('POST', '/api/shop/export');
export const importCsv = (csv: string) =>
  http.request<ImportReport>('POST', '/api/shop/imports', { import_id: newId(), csv });
