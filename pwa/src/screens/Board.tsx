import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import { board as loadBoard } from '../data/api';
import { overSold } from '../data/jobs';
import { formatMoney, formatTime, taipeiDate } from '../data/format';
import { ORDER_STATES, type Board as BoardData, type OrderState, type OrderSummary } from '../data/types';
import { session } from '../data/client';
import { errorText } from '../ui/errors';
import { Notice } from '../ui/Notice';
import { OpenCases } from '../ui/OpenCases';
import { usePullToRefresh } from '../ui/pull';
import { orderPath } from '../ui/router';

/** How often the board asks again while it is on screen (one Query on the server). */
export const BOARD_POLL_MS = 10_000;

/** The advisor's board for today: a column per state, a card per order. */
export function Board() {
  const [data, setData] = useState<BoardData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const columns = useRef<HTMLDivElement>(null);

  const refresh = useCallback(() => {
    setBusy(true);
    loadBoard(taipeiDate())
      .then((answer) => { setData(answer); setError(null); })
      .catch((failure: unknown) => setError(errorText(failure)))
      .finally(() => setBusy(false));
  }, []);
  useEffect(refresh, [refresh]);
  // What the floor does shows without a reload: a finding to price, a call for help, who works.
  useEffect(() => {
    const timer = setInterval(() => { if (document.visibilityState === 'visible') quietRefresh(); }, BOARD_POLL_MS);
    return () => clearInterval(timer);
  }, []);
  const quietRefresh = () => {
    loadBoard(taipeiDate()).then((answer) => { setData(answer); setError(null); }, () => undefined);
  };
  const pull = usePullToRefresh(refresh);

  const count = (state: OrderState) => data?.counts[state] ?? data?.columns[state]?.length ?? 0;
  /** Bring a column into view sideways only (scrollIntoView would also scroll the page down). */
  const jumpTo = (state: OrderState) => {
    const board = columns.current;
    const column = board?.querySelector<HTMLElement>(`[data-state="${state}"]`);
    if (board && column) board.scrollTo({ left: column.offsetLeft - board.offsetLeft - parseFloat(getComputedStyle(board).paddingLeft), behavior: 'smooth' });
  };

  return (
    <section class="screen screen-wide" aria-labelledby="board-title" {...pull.handlers}>
      {pull.pulled > 0 && (
        <p class="pull-hint" style={{ height: `${pull.pulled / 2}px` }}>{pull.ready ? t('common.pullToRefresh') : ''}</p>
      )}
      <div class="screen-head">
        <h1 id="board-title">{t('board.title')}</h1>
        <span class="screen-sub">{data?.date ?? taipeiDate()}</span>
        <button type="button" class="button-secondary" onClick={refresh} disabled={busy}>
          {busy ? t('common.refreshing') : t('common.refresh')}
        </button>
        {/* On a phone the nav has no room for 關懷 and 邀約: they are a tap away from here. */}
        {session.value?.staff.role !== 'technician' && (
          <>
            <a class="button-secondary phone-only" href="#/followups">{t('nav.followups')}</a>
            <a class="button-secondary phone-only" href="#/invitations">{t('nav.invitations')}</a>
            <a class="button-secondary phone-only" href="#/cashup">{t('nav.cashup')}</a>
          </>
        )}
      </div>
      {error && <Notice>{error}</Notice>}
      <OpenCases />
      <div class="board-jump" role="group" aria-label={t('board.columns')}>
        {ORDER_STATES.map((state) => (
          <button type="button" key={state} class="board-jump-chip" onClick={() => jumpTo(state)}>
            {t(`state.${state}`)} <b>{count(state)}</b>
          </button>
        ))}
      </div>
      <div class="board" ref={columns}>
        {ORDER_STATES.map((state) => {
          const orders = data?.columns[state] ?? [];
          return (
            <section
              key={state}
              class={orders.length ? 'column' : 'column column-empty'}
              data-state={state}
              aria-label={`${t(`state.${state}`)} ${count(state)}`}
            >
              <h2 class="column-head">
                <span>{t(`state.${state}`)}</span>
                <span class="count" data-testid={`count-${state}`}>{count(state)}</span>
              </h2>
              {orders.map((order) => <OrderCard key={order.order_id} order={order} />)}
            </section>
          );
        })}
      </div>
    </section>
  );
}

function OrderCard({ order }: { order: OrderSummary }) {
  const open = !['delivered', 'followed_up', 'cancelled'].includes(order.state);
  const late = open && order.promised_at ? Date.parse(order.promised_at) < Date.now() : false;
  return (
    <a class={`order-card${order.help ? ' order-card-help' : ''}`} href={`#${orderPath(order.order_id)}`}>
      <span class="order-card-top">
        <span class="order-number">{order.number}</span>
        {order.waits_in_shop && <span class="tag">{t('board.waits')}</span>}
        {late && <span class="tag tag-late" data-testid="late">{t('board.late')}</span>}
      </span>
      {order.help && <span class="tag tag-help" data-testid="help">{t('board.help')}：{order.help.by.name}</span>}
      {!!order.found && <span class="tag tag-found" data-testid="found">{tf('board.found', { n: order.found })}</span>}
      {order.parts_wait && (
        <span class="tag tag-parts" data-testid="parts-wait">
          {order.parts_wait.expected_on ? tf('lines.partsWaitOn', { day: monthDay(order.parts_wait.expected_on) }) : t('lines.partsWait')}
        </span>
      )}
      <span class="plate">{order.plate}</span>
      <span class="order-card-line">{order.make} {order.model}</span>
      <span class="order-card-line">{order.customer_name}</span>
      {order.promised_at && (
        <span class="order-card-line order-card-promised">{tf('board.promised', { time: formatTime(order.promised_at) })}</span>
      )}
      {(order.at_work ?? []).map((w) => (
        <span key={w.line_id} class={`order-card-line order-card-work order-card-work-${w.state}`}>
          {w.state === 'paused'
            ? tf('board.pausedWork', { name: w.name, reason: t(`jobs.reason.${w.reason ?? 'other'}`) })
            : tf('board.atWork', { name: w.name, what: w.description })}
          {overSold(w) && <span class="tag tag-late" data-testid="over-sold"> {t('jobs.overSold')}</span>}
        </span>
      ))}
      <span class="order-card-line order-card-muted">
        {order.technician_names.length ? order.technician_names.join('、') : t('board.noTechnician')}
      </span>
      <span class="order-card-total">{formatMoney(order.total)}</span>
    </a>
  );
}

/** `2026-12-09` as the card shows it: 12/9. */
function monthDay(day: string): string {
  const [, month, date] = day.split('-');
  return `${Number(month)}/${Number(date)}`;
}
