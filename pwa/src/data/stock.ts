// The stock of the parts the shop keeps (庫存): read straight from the API; goods received, counts
// and minimums go through the offline queue like the app's other writes.
import { http, queue } from './client';
import { newId } from './format';

export interface StockItem {
  part_key: string; part_number: string; name: string;
  on_hand: number; reserved: number; available: number; minimum: number | null;
  below: boolean; version: number;
}

const q = encodeURIComponent;

export const listStock = (below = false) =>
  http.request<{ items: StockItem[] }>('GET', below ? '/api/stock?below=1' : '/api/stock');

/** The parts below their minimum with what to order, as the CSV Excel opens (UTF-8 with a BOM). */
export const belowCsv = () => http.file('/api/stock/below.csv');

/** Goods received (進貨): added once, however often the queue sends it. */
export const receiveStock = (partKey: string, quantity: number) =>
  queue.submit<StockItem>('POST', `/api/stock/${q(partKey)}/receipts`, { client_id: newId(), quantity });

/** A count (盤點) or a new minimum (安全量), on the version the screen showed. */
export const changeStock = (partKey: string, change: { on_hand?: number; minimum?: number }, version: number) =>
  queue.submit<StockItem>('PUT', `/api/stock/${q(partKey)}`, { ...change, version });

export const belowFileName = (day: string) => `stock-below-${day}.csv`;
