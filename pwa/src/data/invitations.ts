// The invitation list (邀約回廠名單): the cars whose reminders or declined work fall due in the
// coming weeks. The list is read straight from the API; every contact and message goes through
// the offline queue like the app's other writes.
import { http, queue } from './client';
import { newId } from './format';

export type ReasonKind = 'service' | 'tyres' | 'brakes' | 'inspection' | 'insurance' | 'declined';
export type Outcome = 'booked' | 'later' | 'declined' | 'no_answer' | 'wrong_number';
export type Method = 'call' | 'line' | 'sms';

export interface Reason { kind: ReasonKind; due_on: string; colour?: 'red' | 'yellow'; lines?: string[]; due_km?: number }

export interface ContactRecord {
  contact_id: string; at: string; by: { staff_id: string; name: string };
  method: Method; outcome: Outcome | 'sent' | 'not_sent'; note?: string; call_back_on?: string;
}

export interface Invitation {
  invitation_id: string; vehicle_id: string; plate: string; make: string; model: string;
  customer_id: string; name: string; mobile: string; mobile_masked: string;
  line_linked: boolean; marketing: boolean; due_on: string; overdue: boolean;
  reasons: Reason[]; last_contact: ContactRecord | null; hidden_until?: string | null;
  booking: { appointment_id: string; at: string } | null; state: 'todo' | 'contacted' | 'booked';
}

export interface InvitationList { date: string; from: string; to: string; invitations: Invitation[]; contacted: Invitation[] }

const q = encodeURIComponent;

export const listInvitations = (weeks = 4) => http.request<InvitationList>('GET', `/api/invitations?weeks=${weeks}`);

export const recordContact = (invitationId: string, contact: { method: Method; outcome: Outcome; note?: string; call_back_on?: string }) =>
  queue.submit<unknown>('POST', `/api/invitations/${q(invitationId)}/contacts`, { client_id: newId(), ...contact });

/** The shop's invitation, now: by LINE when linked, else by SMS (or the channel asked for). */
export const sendInvitation = (invitationId: string, channel?: 'line' | 'sms') =>
  queue.submit<unknown>('POST', `/api/invitations/${q(invitationId)}/messages`, { client_id: newId(), ...(channel ? { channel } : {}) });
