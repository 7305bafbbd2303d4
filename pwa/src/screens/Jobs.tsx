import { useCallback, useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import { jobs as loadJobs, listStaff, setLineState } from '../data/api';
import { session } from '../data/client';
import type { Job, Staff } from '../data/types';
import { errorText } from '../ui/errors';
import { Notice } from '../ui/Notice';
import { usePullToRefresh } from '../ui/pull';
import { orderPath } from '../ui/router';

/** The technician's job list (派工): each line given to them, with a big "done" button. */
export function Jobs() {
  const isTechnician = session.value?.staff.role === 'technician';
  const [technicianId, setTechnicianId] = useState<string | null>(null);
  const [technicians, setTechnicians] = useState<Staff[]>([]);
  const [list, setList] = useState<Job[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    if (isTechnician) return;
    listStaff().then((answer) => {
      const techs = answer.staff.filter((s) => s.role === 'technician' && s.active !== false);
      setTechnicians(techs);
      setTechnicianId((current) => current ?? techs[0]?.staff_id ?? null);
    }, (failure: unknown) => setError(errorText(failure)));
  }, [isTechnician]);

  const refresh = useCallback(() => {
    if (!isTechnician && !technicianId) return;
    loadJobs(isTechnician ? undefined : technicianId ?? undefined)
      .then((answer) => { setList(answer.jobs); setError(null); }, (failure: unknown) => setError(errorText(failure)));
  }, [isTechnician, technicianId]);
  useEffect(refresh, [refresh]);
  const pull = usePullToRefresh(refresh);

  async function done(job: Job) {
    setBusy(job.line.line_id);
    setError(null);
    try {
      const outcome = await setLineState(job.order_id, job.line.line_id, 'done');
      if (outcome.sent) refresh();
      else setList((current) => current?.map((j) => j === job ? { ...j, line: { ...j.line, state: 'done' } } : j) ?? null);
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section class="screen" aria-labelledby="jobs-title" {...pull.handlers}>
      <div class="screen-head">
        <h1 id="jobs-title">{isTechnician ? t('jobs.title') : t('jobs.titleFor')}</h1>
        <button type="button" class="button-secondary" onClick={refresh}>{t('common.refresh')}</button>
      </div>
      {!isTechnician && technicians.length > 0 && (
        <div class="field" role="group" aria-label={t('jobs.pickTechnician')}>
          <span class="field-label" aria-hidden="true">{t('jobs.pickTechnician')}</span>
          <div class="choice">
            {technicians.map((tech) => (
              <button type="button" key={tech.staff_id} class="choice-option" aria-pressed={tech.staff_id === technicianId}
                onClick={() => setTechnicianId(tech.staff_id)}>{tech.name}</button>
            ))}
          </div>
        </div>
      )}
      {!isTechnician && technicians.length === 0 && !error && <p class="muted">{t('order.noTechnicians')}</p>}
      {error && <Notice>{error}</Notice>}
      {list && list.length === 0 && <p class="muted">{t('jobs.empty')}</p>}
      {list && list.length > 0 && (
        <ul class="jobs">
          {list.map((job) => (
            <li key={job.line.line_id} class={`job job-${job.line.state}`}>
              <a class="job-text" href={`#${orderPath(job.order_id)}`}>
                <span class="plate">{job.plate}</span>
                <span class="muted">{job.number}{job.state ? ` · ${t(`state.${job.state}`)}` : ''}</span>
                <span class="job-description">{t(`line.${job.line.kind}`)}：{job.line.description}</span>
              </a>
              {job.line.state === 'done' ? (
                <span class="tag tag-ok">{t('jobs.done')}</span>
              ) : (
                <button type="button" class="button-primary" disabled={busy !== null} onClick={() => void done(job)}>
                  {t('jobs.markDone')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
