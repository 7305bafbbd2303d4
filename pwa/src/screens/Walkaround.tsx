// The walk-around at the car (檢修確認表), for a tablet in a bay with bad Wi-Fi: every tap is
// kept on the tablet first and shows at once; the write queue sends it when it can. One long
// page, so the advisor scrolls instead of tapping between sections; the bar jumps when needed.
// Loaded as a chunk of its own (App.tsx), precached with the shell for offline use.
import { useEffect, useMemo } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { t, tf } from '../i18n';
import { session } from '../data/client';
import { openWalkaround } from '../data/walkaround';
import { errorText } from '../ui/errors';
import { Notice } from '../ui/Notice';
import { PaperButtons } from '../ui/PaperButtons';
import { inspectionPdf } from '../data/paper';
import { orderPath } from '../ui/router';
import { Basics } from '../ui/walkaround/Basics';
import { Brakes } from '../ui/walkaround/Brakes';
import { Checklist } from '../ui/walkaround/Checklist';
import { Damage } from '../ui/walkaround/Damage';
import { Lights } from '../ui/walkaround/Lights';
import { Photos } from '../ui/walkaround/Photos';
import { Tyres } from '../ui/walkaround/Tyres';
import './walkaround.css';

const SECTIONS = ['basics', 'lights', 'tyres', 'brakes', 'damage', 'checklist', 'photos'] as const;
type SectionName = (typeof SECTIONS)[number];

const TITLES: Record<SectionName, Parameters<typeof t>[0]> = {
  basics: 'walk.others', lights: 'walk.lights', tyres: 'walk.tyres', brakes: 'walk.brakes',
  damage: 'walk.damage', checklist: 'walk.checklist', photos: 'walk.photos',
};

function Section({ name, lead, children }: { name: SectionName; lead?: string; children: ComponentChildren }) {
  return (
    <section class={`panel walk-section walk-${name}`} id={`walk-${name}`} aria-labelledby={`walk-${name}-title`}>
      <h2 id={`walk-${name}-title`} class="walk-section-title">{t(TITLES[name])}</h2>
      {lead && <p class="muted walk-lead">{lead}</p>}
      {children}
    </section>
  );
}

export function Walkaround({ orderId }: { orderId: string }) {
  const w = useMemo(() => openWalkaround(orderId), [orderId]);
  useEffect(() => () => w.close(), [w]);

  const order = w.order.value;
  const inspection = w.server.value;
  if (w.loadError.value) {
    return <section class="screen"><Notice>{tf('walk.loadFailed', { reason: errorText(w.loadError.value) })}</Notice></section>;
  }
  if (!order || !inspection) return <section class="screen"><p class="muted">{t('common.loading')}</p></section>;

  const role = session.value?.staff.role;
  const editable = inspection.editable && role !== 'technician';
  const unsynced = w.unsynced.value;
  /** Scroll the page's one scroller (scrollIntoView would also shift the shell past the last section). */
  const jump = (name: SectionName) => {
    const target = document.getElementById(`walk-${name}`);
    const scroller = target?.closest('.main');
    if (!target || !scroller) return;
    const bar = document.querySelector('.walk-nav')?.getBoundingClientRect().height ?? 0;
    const top = target.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop - bar - 8;
    scroller.scrollTo({ top, behavior: 'smooth' });
  };

  return (
    <section class="screen screen-walk" aria-labelledby="walk-title">
      <header class="walk-head">
        <a class="button-secondary" href={`#${orderPath(orderId)}`}>{t('walk.backToOrder')}</a>
        <div class="walk-title">
          <h1 id="walk-title">{t('walk.title')}</h1>
          <span class="plate">{order.vehicle.plate}</span>
          <span class="muted">{order.vehicle.make} {order.vehicle.model}</span>
        </div>
        <span class={unsynced ? 'sync sync-waiting' : 'sync sync-done'} data-testid="walk-sync" aria-live="polite">
          {unsynced ? tf('walk.unsynced', { n: unsynced }) : t('walk.synced')}
        </span>
      </header>
      <nav class="walk-nav" aria-label={t('walk.sections')}>
        {SECTIONS.map((name) => (
          <button type="button" key={name} class="walk-nav-tab" onClick={() => jump(name)}>{t(`walk.nav.${name}`)}</button>
        ))}
      </nav>
      {!inspection.editable && <Notice tone="info">{t('walk.frozen')}</Notice>}
      {w.error.value !== null && <Notice>{errorText(w.error.value)}</Notice>}

      <Section name="basics"><Basics w={w} editable={editable} /></Section>
      <Section name="lights"><Lights w={w} editable={editable} /></Section>
      <Section name="tyres" lead={t('walk.tyresLead')}><Tyres w={w} editable={editable} /></Section>
      <Section name="brakes"><Brakes w={w} editable={editable} /></Section>
      <Section name="damage" lead={t('walk.damageLead')}><Damage w={w} editable={editable} /></Section>
      <Section name="checklist"><Checklist w={w} editable={editable} /></Section>
      <Section name="photos"><Photos w={w} editable={editable} /></Section>
      <section class="panel walk-paper" aria-labelledby="walk-paper-title">
        <h2 id="walk-paper-title">{t('paper.printTitle')}</h2>
        <p class="muted">{t('paper.inspectionLead')}</p>
        <PaperButtons label={t('paper.inspectionPdf')} make={() => inspectionPdf(orderId)} testId="paper-inspection" />
      </section>
    </section>
  );
}
