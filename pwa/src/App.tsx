import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from './i18n';
import { session } from './data/client';
import { Appointments } from './screens/Appointments';
import { Board } from './screens/Board';
import { Jobs } from './screens/Jobs';
import { NewOrder } from './screens/NewOrder';
import { OrderScreen } from './screens/OrderScreen';
import { Settings } from './screens/Settings';
import { SignIn } from './screens/SignIn';
import { Header } from './ui/Header';
import { Nav } from './ui/Nav';
import { PendingWrites } from './ui/PendingWrites';
import { route } from './ui/router';
import { StatusLine } from './ui/StatusLine';

// The walk-around is the biggest screen and not on the first view: a chunk of its own, fetched
// when the browser is idle after start (main.tsx) and precached by the service worker.
export const loadWalkaround = () => import('./screens/Walkaround');

function LazyWalkaround({ orderId }: { orderId: string }) {
  const [Screen, setScreen] = useState<FunctionComponent<{ orderId: string }> | null>(null);
  useEffect(() => {
    loadWalkaround().then((module) => setScreen(() => module.Walkaround), (error: unknown) => {
      // A chunk of an older version gone from the server: the new version has it.
      console.warn('The walk-around did not load; reloading.', error);
      location.reload();
    });
  }, []);
  return Screen ? <Screen orderId={orderId} /> : <section class="screen"><p class="muted">{t('common.loading')}</p></section>;
}

function Screen() {
  const who = session.value;
  const current = route.value;
  const technician = who?.staff.role === 'technician';

  useEffect(() => {
    // Signed in on the sign-in address: go to this person's first screen.
    if (who && current.name === 'sign-in') location.replace(technician ? '#/jobs' : '#/board');
  }, [who, current.name, technician]);

  if (!who) return <SignIn />;
  switch (current.name) {
    case 'board': return <Board />;
    case 'new-order': return <NewOrder />;
    case 'order': return <OrderScreen key={current.orderId} orderId={current.orderId} />;
    case 'walkaround': return <LazyWalkaround key={current.orderId} orderId={current.orderId} />;
    case 'appointments': return <Appointments />;
    case 'jobs': return <Jobs />;
    case 'settings': return <Settings />;
    default: return technician ? <Jobs /> : <Board />;
  }
}

export function App() {
  const signedIn = session.value !== null;
  return (
    <div class="shell">
      <Header />
      {signedIn && <Nav />}
      <main class={signedIn ? 'main' : 'main main-center'}>
        <Screen />
      </main>
      <footer class="footer">
        <StatusLine />
        <PendingWrites />
      </footer>
    </div>
  );
}
