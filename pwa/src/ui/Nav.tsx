import { t, type MessageKey } from '../i18n';
import { session } from '../data/client';
import { route, type Route } from './router';

// A tab: its path, its label, the routes it is "here" on, and whether it is left out on a phone
// (the screen it opens has a link of its own there, so the phone's nav stays one row: the
// board links to 關懷 and 邀約).
type Tab = [string, MessageKey, Route['name'][], 'wide'?];

const ADVISOR_TABS: Tab[] = [
  ['/board', 'nav.board', ['board', 'order', 'home']],
  ['/orders/new', 'nav.newOrder', ['new-order']],
  ['/appointments', 'nav.appointments', ['appointments']],
  ['/followups', 'nav.followups', ['followups'], 'wide'],
  ['/invitations', 'nav.invitations', ['invitations'], 'wide'],
  ['/jobs', 'nav.jobs', ['jobs']],
  ['/scan', 'nav.parts', ['scan', 'part']],
  ['/stock', 'stock.nav', ['stock'], 'wide'],
  ['/cashup', 'nav.cashup', ['cashup'], 'wide'],
  ['/settings', 'nav.settings', ['settings']],
];
const MANAGER_TABS: Tab[] = [
  ...ADVISOR_TABS.slice(0, -1),
  ['/parts/report', 'nav.partsReport', ['parts-report'], 'wide'],
  ['/dashboard', 'nav.dashboard', ['dashboard'], 'wide'],
  ...ADVISOR_TABS.slice(-1),
];
const TECHNICIAN_TABS: Tab[] = [
  ['/jobs', 'nav.myJobs', ['jobs', 'home']],
  ['/board', 'nav.board', ['board', 'order']],
  ['/scan', 'nav.parts', ['scan', 'part']],
  ['/settings', 'nav.settings', ['settings']],
];

export function Nav() {
  const role = session.value?.staff.role;
  const tabs = role === 'technician' ? TECHNICIAN_TABS : role === 'owner' || role === 'manager' ? MANAGER_TABS : ADVISOR_TABS;
  const here = route.value.name;
  return (
    <nav class="nav" aria-label={t('nav.label')}>
      {tabs.map(([path, label, names, wide]) => (
        <a key={path} href={`#${path}`} class={wide ? 'nav-tab nav-tab-wide' : 'nav-tab'} aria-current={names.includes(here) ? 'page' : undefined}>
          {t(label)}
        </a>
      ))}
    </nav>
  );
}
