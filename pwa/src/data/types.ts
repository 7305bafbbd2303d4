// The API's shapes (docs/api.md), as the screens use them.
import type { Shop, Staff } from './http';

export type { Shop, Staff } from './http';

export type OrderState =
  | 'booked' | 'checked_in' | 'authorized' | 'in_progress' | 'awaiting_approval'
  | 'quality_check' | 'ready' | 'delivered' | 'followed_up' | 'cancelled';

/** The board's columns, in the order a car moves through the shop. */
export const ORDER_STATES: readonly OrderState[] = [
  'booked', 'checked_in', 'authorized', 'in_progress', 'awaiting_approval',
  'quality_check', 'ready', 'delivered', 'followed_up', 'cancelled',
];

export type Channel = 'line' | 'sms' | 'none';
export type Fuel = 'gasoline' | 'diesel' | 'hybrid' | 'plugin' | 'ev';
export const FUELS: readonly Fuel[] = ['gasoline', 'diesel', 'hybrid', 'plugin', 'ev'];

export interface Customer {
  customer_id: string;
  name: string;
  mobile: string;
  email?: string;
  channel: Channel;
  notes?: string;
  consent?: { version: string; at: string; method: string };
  created_at?: string;
}

export interface Vehicle {
  vehicle_id: string;
  plate: string;
  vin?: string;
  make: string;
  model: string;
  year?: number;
  colour?: string;
  fuel: Fuel;
  customer_id: string;
  customer_name?: string;
  mileage?: { km: number; at: string; source: string };
}

export type LineKind = 'labour' | 'part' | 'discount';
export type LineState = 'proposed' | 'approved' | 'declined' | 'done';

export interface Line {
  line_id: string;
  kind: LineKind;
  description: string;
  hours?: number;
  rate?: number;
  part_number?: string;
  quantity?: number;
  unit_price?: number;
  amount: number;
  origin: 'authorization' | 'additional';
  state: LineState;
  technician_id?: string;
  technician_name?: string;
}

export interface Totals { subtotal: number; tax: number; total: number }

export interface OrderEvent {
  at: string;
  by: { staff_id: string; name: string };
  device_id?: string;
  from?: OrderState;
  to: OrderState;
  note?: string;
}

export interface Order {
  order_id: string;
  number: string;
  state: OrderState;
  customer: { customer_id: string; name: string; mobile: string };
  vehicle: { vehicle_id: string; plate: string; make: string; model: string };
  concerns: string[];
  promised_at?: string;
  waits_in_shop: boolean;
  mileage_km?: number;
  created_at: string;
  updated_at: string;
  lines: Line[];
  totals: Totals;
  events: OrderEvent[];
  next_states: OrderState[];
}

export interface OrderSummary {
  order_id: string;
  number: string;
  state: OrderState;
  plate: string;
  make: string;
  model: string;
  customer_name: string;
  promised_at?: string;
  waits_in_shop: boolean;
  technician_names: string[];
  total: number;
}

export interface Board {
  date: string;
  columns: Partial<Record<OrderState, OrderSummary[]>>;
  counts: Partial<Record<OrderState, number>>;
}

export type AppointmentSource = 'phone' | 'line' | 'online' | 'walk_in' | 'invitation';
export const APPOINTMENT_SOURCES: readonly AppointmentSource[] = ['phone', 'line', 'online', 'walk_in', 'invitation'];

export interface Appointment {
  appointment_id: string;
  at: string;
  duration_minutes: number;
  purpose: string;
  source: AppointmentSource;
  parts_to_prepare?: string[];
  customer_id: string;
  vehicle_id: string;
  customer_name: string;
  plate: string;
  state: 'booked' | 'checked_in' | 'cancelled' | 'no_show';
  order_id?: string;
}

export interface Job {
  order_id: string;
  number: string;
  plate: string;
  line: Line;
  /** The order's state: in docs/api.md, not (yet) in the route's answer. */
  state?: OrderState;
}

export interface DeviceStaff { staff_id: string; name: string; role: Staff['role']; has_pin: boolean }
export interface DeviceRoster { shop: Shop; staff: DeviceStaff[] }
export interface RegisteredDevice { device_id: string; name: string; device_secret: string }
