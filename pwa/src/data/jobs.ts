// The technician's job list, as the phone works it out: by order, the minutes on a running job,
// and a tap taken while offline shown at once (the server's answer replaces it once sent).
import type { AtWork, ClockAction, Job, JobClock, PauseReason } from './types';

/** One order's jobs on the list, in the order the server sorted them (the promised time). */
export interface OrderJobs { order_id: string; number: string; plate: string; promised_at?: string | null; jobs: Job[] }

export function byOrder(list: Job[]): OrderJobs[] {
  const groups: OrderJobs[] = [];
  for (const job of list) {
    const last = groups[groups.length - 1];
    if (last && last.order_id === job.order_id) last.jobs.push(job);
    else groups.push({ order_id: job.order_id, number: job.number, plate: job.plate, promised_at: job.promised_at, jobs: [job] });
  }
  return groups;
}

/** Seconds worked on a job by now: what was counted, and the running period so far. */
export function workedSeconds(clock: JobClock | undefined, now = Date.now()): number {
  if (!clock) return 0;
  const running = clock.state === 'running' ? Math.max(0, (now - Date.parse(clock.since)) / 1000) : 0;
  return clock.seconds + running;
}

/** The clock after a tap taken while offline (the server's answer replaces it once sent). */
export function tapped(job: Job, action: ClockAction, reason: PauseReason | undefined, me: { staff_id: string; name: string }): Job {
  const now = new Date().toISOString();
  const clock = job.line.clock;
  const seconds = Math.round(workedSeconds(clock));
  const state = ({ start: 'running', pause: 'paused', resume: 'running', finish: 'finished' } as const)[action];
  return {
    ...job,
    line: {
      ...job.line,
      state: action === 'finish' ? 'done' : job.line.state,
      ...(action === 'finish' ? { rework: undefined } : {}),
      clock: { state, since: now, by: me, seconds, started_at: clock?.started_at ?? now, ...(reason ? { reason } : {}) },
    },
  };
}

/** A job on the board over the hours sold for it: the time counted, and the running period. */
export function overSold(work: AtWork, now = Date.now()): boolean {
  if (!work.sold_hours) return false;
  const running = work.state === 'running' ? Math.max(0, (now - Date.parse(work.since)) / 1000) : 0;
  return (work.seconds ?? 0) + running > work.sold_hours * 3600;
}
