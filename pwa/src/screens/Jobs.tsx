import { useCallback, useEffect, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { askHelp, clockJob, jobs as loadJobs } from '../data/api';
import { session } from '../data/client';
import { formatTime } from '../data/format';
import { byOrder, tapped, workedSeconds, type OrderJobs } from '../data/jobs';
import type { ClockAction, Job, PauseReason } from '../data/types';
import { PAUSE_REASONS } from '../data/types';
import { errorText } from '../ui/errors';
import { FindingForm } from '../ui/FindingForm';
import { DispatchSheet } from './DispatchSheet';
import { Notice } from '../ui/Notice';
import { usePullToRefresh } from '../ui/pull';
import { orderPath } from '../ui/router';

/** Time worked as hours and minutes: `0:40`, `1:05`. */
const minutesText = (seconds: number) => {
  const minutes = Math.floor(seconds / 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
};

/** The technician's job list (派工): their jobs by order, one tap to start, pause, resume or finish. */
export function Jobs() {
  return session.value?.staff.role === 'technician' ? <MyJobs /> : <DispatchSheet />;
}

/** The technician's own jobs. */
function MyJobs() {
  const me = session.value?.staff;
  const [list, setList] = useState<Job[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [, setTick] = useState(0);

  const refresh = useCallback(() => {
    loadJobs().then((answer) => { setList(answer.jobs); setError(null); }, (failure: unknown) => setError(errorText(failure)));
  }, []);
  useEffect(refresh, [refresh]);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 30_000); // the minutes on a running job
    return () => clearInterval(timer);
  }, []);
  const pull = usePullToRefresh(refresh);

  async function tap(job: Job, action: ClockAction, reason?: PauseReason) {
    if (!me) return;
    setBusy(job.line.line_id);
    setError(null);
    setNote(null);
    try {
      const outcome = await clockJob(job.order_id, job.line.line_id, action, reason);
      if (outcome.sent) refresh();
      else {
        setList((current) => current?.map((j) => (j === job ? tapped(j, action, reason, me) : j)) ?? null);
        setNote(t('jobs.queued'));
      }
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section class="screen screen-jobs" aria-labelledby="jobs-title" {...pull.handlers}>
      <div class="screen-head">
        <h1 id="jobs-title">{t('jobs.title')}</h1>
        <button type="button" class="button-secondary" onClick={refresh}>{t('common.refresh')}</button>
      </div>
      {error && <Notice>{error}</Notice>}
      {note && <Notice tone="info">{note}</Notice>}
      {list && list.length === 0 && <p class="muted">{t('jobs.empty')}</p>}
      {list && byOrder(list).map((group) => (
        <OrderGroup key={group.order_id} group={group} busy={busy} canTap={!!me}
          onTap={(job, action, reason) => void tap(job, action, reason)} onSent={refresh} />
      ))}
    </section>
  );
}

function OrderGroup({ group, busy, canTap, onTap, onSent }: {
  group: OrderJobs; busy: string | null; canTap: boolean;
  onTap: (job: Job, action: ClockAction, reason?: PauseReason) => void; onSent: () => void;
}) {
  const [open, setOpen] = useState<'finding' | 'help' | null>(null);
  const late = group.promised_at ? Date.parse(group.promised_at) < Date.now() : false;
  // A job the final check sent back is current again until it is finished anew.
  const finished = group.jobs.filter((job) => job.line.state === 'done' && !job.line.rework);
  const current = group.jobs.filter((job) => job.line.state !== 'done' || job.line.rework);
  const rework = current.find((job) => job.line.rework)?.line.rework ?? group.jobs.find((job) => job.line.rework)?.line.rework;
  const titleId = `job-order-${group.order_id}`;
  return (
    <section class="panel job-order" aria-labelledby={titleId}>
      <header class="job-order-head">
        <a id={titleId} class="plate tap-link" href={`#${orderPath(group.order_id)}`}>{group.plate}</a>
        <span class="muted">{group.number}</span>
        {group.promised_at && (
          <span class={late ? 'tag tag-late' : 'muted'}>{late ? t('board.late') : ''} {tf('jobs.promised', { time: formatTime(group.promised_at) })}</span>
        )}
      </header>
      {rework && <Notice>{tf('jobs.rework', { note: rework.note })}</Notice>}
      <ul class="jobs">
        {current.map((job) => (
          <JobRow key={job.line.line_id} job={job} disabled={busy !== null || !canTap} onTap={(action, reason) => onTap(job, action, reason)} />
        ))}
      </ul>
      {finished.length > 0 && (
        <details class="jobs-finished">
          <summary>{tf('jobs.finishedCount', { n: finished.length })}</summary>
          <ul class="jobs">
            {finished.map((job) => <JobRow key={job.line.line_id} job={job} disabled onTap={() => undefined} />)}
          </ul>
        </details>
      )}
      <div class="job-order-actions">
        <button type="button" class="button-secondary button-big" aria-expanded={open === 'finding'}
          onClick={() => setOpen(open === 'finding' ? null : 'finding')}>{t('jobs.found')}</button>
        <button type="button" class="button-secondary button-big" aria-expanded={open === 'help'}
          onClick={() => setOpen(open === 'help' ? null : 'help')}>{t('jobs.help')}</button>
      </div>
      {open === 'finding' && <FindingForm orderId={group.order_id} onDone={() => { setOpen(null); onSent(); }} onCancel={() => setOpen(null)} />}
      {open === 'help' && <HelpForm orderId={group.order_id} onDone={() => setOpen(null)} />}
    </section>
  );
}

function JobRow({ job, disabled, onTap }: {
  job: Job; disabled: boolean; onTap: (action: ClockAction, reason?: PauseReason) => void;
}) {
  const [pausing, setPausing] = useState(false);
  const { line } = job;
  const clock = line.clock;
  const reworking = line.state === 'done' && Boolean(line.rework);
  const state = reworking ? (clock?.state === 'finished' ? 'idle' : clock?.state ?? 'idle')
    : line.state === 'done' ? 'finished'
    : line.unpriced ? 'unpriced'
    : line.state === 'proposed' ? 'proposed'
    : clock?.state ?? 'idle';
  const worked = workedSeconds(clock);
  const soldSeconds = line.kind === 'labour' && line.hours ? line.hours * 3600 : null;
  const over = soldSeconds !== null && worked > soldSeconds;
  const workable = line.state === 'approved' || reworking;
  return (
    <li class={`job job-${state}`} data-testid="job">
      <div class="job-text">
        <span class="job-description">{line.description}</span>
        <span class="muted">
          {t(`line.${line.kind}`)}
          {soldSeconds !== null ? ` · ${tf('jobs.sold', { hours: String(line.hours) })}` : ''}
          {worked > 0 ? ` · ${tf('jobs.worked', { time: minutesText(worked) })}` : ''}
        </span>
        <span class={`tag job-state job-state-${state}${over ? ' tag-late' : ''}`}>
          {t(`jobs.state.${state}`)}{state === 'paused' && clock?.reason ? `・${t(`jobs.reason.${clock.reason}`)}` : ''}
          {over ? `・${t('jobs.overSold')}` : ''}
        </span>
      </div>
      {workable && !pausing && (
        <div class="job-actions">
          {(!clock || clock.state === 'finished') && (
            <button type="button" class="button-primary button-big" disabled={disabled} onClick={() => onTap('start')}>{t('jobs.start')}</button>
          )}
          {clock?.state === 'running' && (
            <button type="button" class="button-secondary button-big" disabled={disabled} onClick={() => setPausing(true)}>{t('jobs.pause')}</button>
          )}
          {clock?.state === 'paused' && (
            <button type="button" class="button-primary button-big" disabled={disabled} onClick={() => onTap('resume')}>{t('jobs.resume')}</button>
          )}
          <button type="button" class={clock?.state === 'running' ? 'button-primary button-big' : 'button-secondary button-big'}
            disabled={disabled} onClick={() => onTap('finish')}>{t('jobs.finish')}</button>
        </div>
      )}
      {workable && pausing && (
        <div class="job-actions" role="group" aria-label={t('jobs.pauseWhy')}>
          {PAUSE_REASONS.map((reason) => (
            <button type="button" key={reason} class="button-secondary button-big" disabled={disabled}
              onClick={() => { setPausing(false); onTap('pause', reason); }}>{t(`jobs.reason.${reason}`)}</button>
          ))}
          <button type="button" class="button-secondary" onClick={() => setPausing(false)}>{t('jobs.cancel')}</button>
        </div>
      )}
    </li>
  );
}

function HelpForm({ orderId, onDone }: { orderId: string; onDone: () => void }) {
  const [text, setText] = useState('');
  const [state, setState] = useState<'idle' | 'sending' | 'sent'>('idle');
  const [error, setError] = useState<string | null>(null);
  async function send() {
    setState('sending');
    setError(null);
    try {
      await askHelp(orderId, text.trim());
      setState('sent');
      setTimeout(onDone, 1500);
    } catch (failure) {
      setError(errorText(failure));
      setState('idle');
    }
  }
  return (
    <div class="job-form">
      <label class="field">
        <span class="field-label">{t('jobs.helpNote')}</span>
        <textarea rows={2} maxLength={500} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      </label>
      {state === 'sent' ? <Notice tone="info">{t('jobs.helpWaiting')}</Notice> : (
        <button type="button" class="button-primary button-big" disabled={state === 'sending'} onClick={() => void send()}>{t('jobs.helpSend')}</button>
      )}
      {error && <Notice>{error}</Notice>}
    </div>
  );
}
