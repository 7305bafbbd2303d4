// What an owner or manager runs the shop with in Settings: its staff (add, role, deactivate,
// temporary password, PIN reset), its tablets (list, rename, revoke), the customer messages'
// templates and quiet hours; and a new shop owner's one-time link (/welcome).
// Calls carrying a password go straight to the API (never kept in the write queue); the others
// go through the queue like every write.
import { http, queue } from './client';
import type { Session, Staff } from './http';

const q = (value: string) => encodeURIComponent(value);

export type Role = Staff['role'];
export interface StaffMember extends Staff { active: boolean; has_pin: boolean }
export interface NewStaffMember {
  staff_id: string; name: string; role: Role; mobile?: string; email?: string; password: string;
}

export const staffList = () => http.request<{ staff: StaffMember[] }>('GET', '/api/staff');
export const addStaff = (member: NewStaffMember) => http.request<StaffMember>('POST', '/api/staff', member);
export const changeStaff = (staffId: string, change: { role?: Role; active?: boolean; name?: string }) =>
  queue.submit<StaffMember>('PATCH', `/api/staff/${q(staffId)}`, change);
export const resetPassword = (staffId: string, password: string) =>
  http.request<StaffMember>('PUT', `/api/staff/${q(staffId)}/password`, { password });
export const resetPin = (staffId: string) =>
  queue.submit<StaffMember>('DELETE', `/api/staff/${q(staffId)}/pin`);

export interface ShopTablet {
  device_id: string; name: string; created_at: string; last_used_at: string | null;
  revoked: boolean; revoked_at: string | null; registered_by: string | null;
}
export const tablets = () => http.request<{ devices: ShopTablet[] }>('GET', '/api/devices');
export const renameTablet = (deviceId: string, name: string) =>
  queue.submit<ShopTablet>('PATCH', `/api/devices/${q(deviceId)}`, { name });
export const revokeTablet = (deviceId: string) =>
  queue.submit<ShopTablet>('DELETE', `/api/devices/${q(deviceId)}`);

export const NOTIFY_STEPS = ['checked_in', 'awaiting_approval', 'ready', 'delivered'] as const;
export type NotifyStep = (typeof NOTIFY_STEPS)[number];
export interface NotificationSettings {
  notify_steps: NotifyStep[]; urgent_steps: NotifyStep[]; templates: Record<NotifyStep, string>;
  fallback_channels: string[]; quiet_start: string; quiet_end: string; line_pnp_approved: boolean;
}
export const notificationSettings = () =>
  http.request<NotificationSettings>('GET', '/api/shop/notification-settings');
export const changeNotificationSettings = (change: Partial<Omit<NotificationSettings, 'templates'>> & {
  templates?: Partial<Record<NotifyStep, string>>;
}) => queue.submit<NotificationSettings>('PATCH', '/api/shop/notification-settings', change);

/** A sample order the template previews are filled with. */
export interface Sample { shop: string; plate: string; link: string; total: number }

/**
 * A template as the customer reads it: the server's rule (chalicelib/outward/notify/steps.py
 * `render`): {shop}, {plate} (masked as on every message: `ABC-**34`), {link}, {total} with
 * thousands separators; `{{` and `}}` are braces. An unknown name is left as typed (the server
 * refuses to save it).
 */
export function renderTemplate(template: string, sample: Sample): string {
  const values: Record<string, string> = {
    shop: sample.shop, plate: maskPlate(sample.plate), link: sample.link,
    total: sample.total.toLocaleString('en-US'),
  };
  return template
    .replace(/\{\{|\}\}|\{([a-z_]*)\}/g, (whole, name?: string) =>
      whole === '{{' ? '{' : whole === '}}' ? '}' : name !== undefined && name in values ? values[name]! : whole)
    .trim();
}

/** As chalicelib/records/vehicles.py `mask_plate`: the longest part (the last of equals) kept to
 * its last two characters. */
export function maskPlate(plate: string): string {
  const parts = plate.split('-');
  let longest = parts.length - 1;
  for (let index = parts.length - 2; index >= 0; index -= 1) {
    if (parts[index]!.length > parts[longest]!.length) longest = index;
  }
  const word = parts[longest]!;
  parts[longest] = word.length > 2 ? '*'.repeat(word.length - 2) + word.slice(-2) : word;
  return parts.join('-');
}

/** A new shop's owner chooses a password at their one-time link: then signed in. */
export async function redeemWelcome(token: string, password: string): Promise<Session> {
  const session = await http.open<Session>('POST', '/api/auth/welcome', { token, password });
  http.begin(session);
  return session;
}
