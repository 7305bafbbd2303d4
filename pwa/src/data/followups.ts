// Follow-up calls after delivery (維修後關懷) and the cases they open. Reads go straight to the
// API; every record goes through the offline queue like the app's other writes.
import { http, queue } from './client';
import { newId } from './format';

export type CallOutcome = 'reached' | 'no_answer' | 'call_back';
export type Reaction = 'satisfied' | 'issue';

export interface Call {
  call_id: string; at: string; by: { staff_id: string; name: string }; outcome: CallOutcome;
  reaction?: Reaction; note?: string; call_back_at?: string; case_id?: string;
}

export interface FollowUp {
  order_id: string; number: string; status: 'pending' | 'due' | 'done';
  customer: { customer_id: string; name: string; mobile: string };
  vehicle: { vehicle_id: string; plate: string; make: string; model: string };
  delivered_on: string; due_on: string; calls: Call[]; call_back_at?: string; case_id?: string;
}

export interface Case {
  case_id: string; order_id: string; number: string; summary: string; call_note?: string;
  customer: FollowUp['customer']; vehicle: FollowUp['vehicle'];
  owner: { staff_id: string; name: string }; due_on: string; state: 'open' | 'closed';
  appointment_id?: string; resolution?: string; may_close: boolean;
}

export interface NewCase {
  summary: string; owner_id: string; due_on: string;
  /** Invite the customer back: the appointment's time (ISO 8601 with offset). */
  invite_at?: string;
}

export interface CallRecord {
  outcome: CallOutcome; reaction?: Reaction; note?: string; call_back_at?: string; case?: NewCase;
}

const q = encodeURIComponent;

export const dueFollowUps = () => http.request<{ date: string; followups: FollowUp[] }>('GET', '/api/followups');
export const openCases = () => http.request<{ cases: Case[] }>('GET', '/api/cases?state=open');

export function recordCall(orderId: string, record: CallRecord) {
  const { case: issue, ...call } = record;
  const body = {
    client_id: newId(), ...call,
    ...(issue ? {
      case: {
        case_id: newId(), summary: issue.summary, owner_id: issue.owner_id, due_on: issue.due_on,
        ...(issue.invite_at ? { invite: { appointment_id: newId(), at: issue.invite_at } } : {}),
      },
    } : {}),
  };
  return queue.submit<FollowUp>('POST', `/api/orders/${q(orderId)}/followup`, body);
}

export const closeCase = (caseId: string, resolution: string) =>
  queue.submit<Case>('POST', `/api/cases/${q(caseId)}/close`, { client_id: newId(), resolution });

/** Hand the case to someone else and/or move its due date. */
export const changeCase = (caseId: string, change: { owner_id?: string; due_on?: string }) =>
  queue.submit<Case>('PATCH', `/api/cases/${q(caseId)}`, change);

/** The number a `tel:` link dials: digits and a leading +. */
