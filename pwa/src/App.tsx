import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from './i18n';
import { session } from './data/client';
import { endHandover, handover } from './data/handover';
import type { DocumentKind } from './data/types';
import { Appointments } from './screens/Appointments';
import { Board } from './screens/Board';
import { Inbox } from './screens/Inbox';
import { Jobs } from './screens/Jobs';
import { NewOrder } from './screens/NewOrder';
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

// The customer's signing screen, with signature_pad: only when a document is signed.
const loadSignDocument = () => import('./screens/SignDocument');

function LazySignDocument({ orderId, kind }: { orderId: string; kind: DocumentKind }) {
  const [Screen, setScreen] = useState<FunctionComponent<{ orderId: string; kind: DocumentKind }> | null>(null);
  useEffect(() => {
    loadSignDocument().then((module) => setScreen(() => module.SignDocument), (error: unknown) => {
      console.warn('The signing screen did not load; reloading.', error);
      location.reload();
    });
  }, []);
  return Screen ? <Screen orderId={orderId} kind={kind} /> : <section class="screen"><p class="muted">{t('common.loading')}</p></section>;
}

// The old-part screens (舊品): the scan screen with its QR reader, a tag, the month's report. Each
// a chunk of its own, loaded when opened (and precached by the service worker like the others).
const loadScan = () => import('./screens/Scan');
const loadPartTag = () => import('./screens/PartTag');
const loadPartsReport = () => import('./screens/PartsReport');

function useChunk<T>(load: () => Promise<T>, what: string): T | null {
  const [chunk, setChunk] = useState<T | null>(null);
  useEffect(() => {
    load().then(setChunk, (error: unknown) => {
      console.warn(`${what} did not load; reloading.`, error);
      location.reload();
    });
  }, [load, what]);
  return chunk;
}

const Loading = () => <section class="screen"><p class="muted">{t('common.loading')}</p></section>;

function LazyScan({ batch }: { batch: boolean }) {
  const chunk = useChunk(loadScan, 'The scan screen');
  return chunk ? <chunk.Scan batch={batch} /> : <Loading />;
}

function LazyPartTag({ code, signIn }: { code: string; signIn: boolean }) {
  const chunk = useChunk(loadPartTag, 'The tag screen');
  return chunk ? <chunk.PartTag code={code} signIn={signIn} /> : <Loading />;
}

// A customer and their data rights (個資法), opened from an order: not on the first view.
const loadCustomer = () => import('./screens/CustomerScreen');

function LazyCustomer({ customerId }: { customerId: string }) {
  const chunk = useChunk(loadCustomer, 'The customer screen');
  return chunk ? <chunk.CustomerScreen customerId={customerId} /> : <Loading />;
}

// The follow-up calls (維修後關懷): a chunk of its own, loaded when opened.
const loadFollowups = () => import('./screens/Followups');

function LazyFollowups() {
  const chunk = useChunk(loadFollowups, 'The follow-up screen');
  return chunk ? <chunk.Followups /> : <Loading />;
}

// The invitation list (邀約回廠名單): a chunk of its own, loaded when opened.
const loadInvitations = () => import('./screens/Invitations');

function LazyInvitations() {
  const chunk = useChunk(loadInvitations, 'The invitation list');
  return chunk ? <chunk.Invitations /> : <Loading />;
}

// A vehicle's 維修履歷 (visits, trends, declined work): opened from an order, a call or a booking.
const loadVehicleHistory = () => import('./screens/VehicleHistory');

function LazyVehicleHistory({ vehicleId }: { vehicleId: string }) {
  const chunk = useChunk(loadVehicleHistory, 'The vehicle history');
  return chunk ? <chunk.VehicleHistory vehicleId={vehicleId} /> : <Loading />;
}

// The shop's numbers (營運報表) with its chart library: managers only, a chunk of its own.
const loadDashboard = () => import('./screens/Dashboard');

function LazyDashboard() {
  const chunk = useChunk(loadDashboard, 'The dashboard');
  return chunk ? <chunk.Dashboard /> : <Loading />;
}

// The order screen (lines, documents, old parts, messages, the customer's link): opened from the
// board, so its chunk is fetched when the browser is idle after start (main.tsx) and precached.
export const loadOrderScreen = () => import('./screens/OrderScreen');

function LazyOrderScreen({ orderId }: { orderId: string }) {
  const chunk = useChunk(loadOrderScreen, 'The order screen');
  return chunk ? <chunk.OrderScreen orderId={orderId} /> : <Loading />;
}

// Settings (PIN, the shared tablet, the shop's details, thresholds, checklist): opened now and
// then, so not on the first view.
const loadSettings = () => import('./screens/Settings');

// A new shop owner's one-time link: once per shop, so not on the first view.
const loadWelcome = () => import('./screens/Welcome');

function LazyWelcome({ token }: { token: string }) {
  const chunk = useChunk(loadWelcome, 'The welcome screen');
  return chunk ? <chunk.Welcome token={token} /> : <Loading />;
}

function LazySettings() {
  const chunk = useChunk(loadSettings, 'The settings screen');
  return chunk ? <chunk.Settings /> : <Loading />;
}

function LazyPartsReport() {
  const chunk = useChunk(loadPartsReport, 'The parts report');
  return chunk ? <chunk.PartsReport /> : <Loading />;
}

// The stock of kept parts (庫存): opened now and then, a chunk of its own.
const loadStock = () => import('./screens/Stock');

function LazyStock() {
  const chunk = useChunk(loadStock, 'The stock screen');
  return chunk ? <chunk.Stock /> : <Loading />;
}

// The day's cash-up (日結): at closing, a chunk of its own.
const loadCashUp = () => import('./screens/CashUp');

function LazyCashUp() {
  const chunk = useChunk(loadCashUp, 'The cash-up screen');
  return chunk ? <chunk.CashUp /> : <Loading />;
}

function Screen() {
  const who = session.value;
  const current = route.value;
  const technician = who?.staff.role === 'technician';

  useEffect(() => {
    // Signed in on the sign-in address: go to this person's first screen.
    if (who && current.name === 'sign-in') location.replace(technician ? '#/jobs' : '#/board');
  }, [who, current.name, technician]);

  useEffect(() => {
    // Someone else signed in (by password, or by their PIN on the shared tablet): they hold the
    // tablet now, not the customer.
    if (who && handover.value && handover.value.staffId !== who.staff.staff_id) endHandover();
  }, [who?.staff.staff_id]);

  if (current.name === 'welcome') return <LazyWelcome token={current.token} />;
  if (!who) {
    // A tag's QR opened by someone not signed in: whose tag it is, and a way to sign in.
    return current.name === 'part' && !current.signIn ? <LazyPartTag code={current.code} signIn={false} /> : <SignIn />;
  }
  const held = handover.value;
  if (held) {
    // Hand-over mode: the customer holds the tablet; whatever the address, only the document.
    return <LazySignDocument key={`${held.orderId}/${held.kind}`} orderId={held.orderId} kind={held.kind} />;
  }
  switch (current.name) {
    case 'board': return <Board />;
    case 'new-order': return <NewOrder />;
    case 'order': return <LazyOrderScreen key={current.orderId} orderId={current.orderId} />;
    case 'walkaround': return <LazyWalkaround key={current.orderId} orderId={current.orderId} />;
    case 'sign': return <LazySignDocument key={`${current.orderId}/${current.kind}`} orderId={current.orderId} kind={current.kind} />;
    case 'appointments': return <Appointments />;
    case 'jobs': return <Jobs />;
    case 'settings': return <LazySettings />;
    case 'scan': return <LazyScan key={current.batch ? 'batch' : 'single'} batch={current.batch} />;
    case 'part': return <LazyPartTag key={current.code} code={current.code} signIn={current.signIn} />;
    case 'parts-report': return <LazyPartsReport />;
    case 'dashboard': return <LazyDashboard />;
    case 'followups': return <LazyFollowups />;
    case 'invitations': return <LazyInvitations />;
    case 'customer': return <LazyCustomer key={current.customerId} customerId={current.customerId} />;
    case 'vehicle-history': return <LazyVehicleHistory key={current.vehicleId} vehicleId={current.vehicleId} />;
    case 'inbox': return <Inbox />;
    case 'stock': return <LazyStock />;
    case 'cashup': return technician ? <Jobs /> : <LazyCashUp />;
    default: return technician ? <Jobs /> : <Board />;
  }
}

export function App() {
  const signedIn = session.value !== null;
  const customerHolds = signedIn && handover.value !== null;
  return (
    <div class={customerHolds ? 'shell shell-handover' : 'shell'}>
      <Header customerHolds={customerHolds} />
      {signedIn && !customerHolds && <Nav />}
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
