import { t, type MessageKey } from '../i18n';
import { session } from '../data/client';
import { route, type Route } from './router';

const ADVISOR_TABS: [string, MessageKey, Route['name'][]][] = [
  ['/board', 'nav.board', ['board', 'order', 'home']],
  ['/orders/new', 'nav.newOrder', ['new-order']],
  ['/appointments', 'nav.appointments', ['appointments']],
  ['/jobs', 'nav.jobs', ['jobs']],
  ['/settings', 'nav.settings', ['settings']],
];
const TECHNICIAN_TABS: [string, MessageKey, Route['name'][]][] = [
  ['/jobs', 'nav.myJobs', ['jobs', 'home']],
  ['/board', 'nav.board', ['board', 'order']],
  ['/settings', 'nav.settings', ['settings']],
];

export function Nav() {
  const role = session.value?.staff.role;
  const tabs = role === 'technician' ? TECHNICIAN_TABS : ADVISOR_TABS;
  const here = route.value.name;
  return (
    <nav class="nav" aria-label={t('nav.label')}>
      {tabs.map(([path, label, names]) => (
        <a key={path} href={`#${path}`} class="nav-tab" aria-current={names.includes(here) ? 'page' : undefined}>
          {t(label)}
        </a>
      ))}
    </nav>
  );
}
