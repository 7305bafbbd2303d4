// Adding lines from the catalogue on the order screen: the service menus that fit the car (a
// 10,000 km service in two taps), and a search over operations, parts and menus as the advisor
// types. Everything is the device's copy, so it works in a bay with no Wi-Fi; each line is a
// normal add-line write through the queue.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { t, tf } from '../i18n';
import type { NewLine } from '../data/api';
import { deviceCatalogue, lineAmount, type CatalogueIndex, type Car, type Hit, type Menu, type Part } from '../data/catalogue';
import { formatMoney, newId } from '../data/format';
import type { LineOption, Order } from '../data/types';
import { wholeNumber } from './Field';
import './catalogue.css';

type Add = (line: NewLine, lineId: string) => Promise<boolean>;
/** Most options a line may offer the customer (its own included): docs/api.md. */
const MAX_OPTIONS = 4;

export function CatalogueAdd({ order, busy, onAdd }: { order: Order; busy: boolean; onAdd: Add }) {
  const index = deviceCatalogue.value;
  const car: Car = { make: order.vehicle.make, model: order.vehicle.model };
  const [query, setQuery] = useState('');
  const [picked, setPicked] = useState<Hit | null>(null);
  // A menu's line ids, kept while its lines are on their way: a second tap sends the same ids,
  // which the API takes as a replay, so a double tap never doubles the menu.
  const menuIds = useRef(new Map<string, string[]>());
  const hits = useMemo(() => (index && query.trim() ? index.search(query, car) : []), [index, query, car.make, car.model]);

  if (!index) return <p class="muted catalogue-missing">{t('orderCat.notLoaded')}</p>;
  const menus = index.menusFor(car, order.mileage_km);

  function idsFor(menu: Menu, count: number): string[] {
    // The API adds a line id only once while the line is on the order; one deleted since comes back.
    const key = `${order.order_id}:${menu.menu_id}`;
    const kept = menuIds.current.get(key);
    const ids = kept?.length === count ? kept : Array.from({ length: count }, () => newId());
    menuIds.current.set(key, ids);
    return ids;
  }

  async function addMenu(menu: Menu) {
    const lines = index!.menuLines(menu, car);
    const ids = idsFor(menu, lines.length);
    for (const [i, line] of lines.entries()) {
      if (!(await onAdd(line, ids[i]!))) return;
    }
    setPicked(null);
  }

  async function addLine(line: NewLine) {
    if (await onAdd(line, newId())) {
      setPicked(null);
      setQuery('');
    }
  }

  const pick = (hit: Hit) => setPicked((current) => (current && hitKey(current) === hitKey(hit) ? null : hit));

  return (
    <div class="catalogue-add">
      {menus.length > 0 && (
        <section class="catalogue-menus" aria-label={t('orderCat.menus')}>
          <h3 class="catalogue-heading">{t('orderCat.menus')}</h3>
          <div class="catalogue-menu-row">
            {menus.slice(0, 6).map((menu) => {
              const onOrder = order.lines.some((line) => line.menu?.menu_id === menu.menu_id);
              return (
                <button type="button" key={menu.menu_id} class="catalogue-menu" data-testid={`menu-${menu.menu_id}`}
                  aria-pressed={picked?.kind === 'menu' && picked.menu.menu_id === menu.menu_id}
                  onClick={() => pick({ kind: 'menu', menu })}>
                  <span class="catalogue-menu-name">{menu.name}</span>
                  {(menu.model || menu.make) && <span class="catalogue-menu-for">{[menu.make, menu.model].filter(Boolean).join(' ')}</span>}
                  <span class="catalogue-menu-price">{formatMoney(menuTotal(index, menu, car))}{onOrder ? ` · ${t('orderCat.menuAdded')}` : ''}</span>
                </button>
              );
            })}
          </div>
        </section>
      )}
      {picked?.kind === 'menu' && !query.trim() && (
        <MenuPreview index={index} menu={picked.menu} car={car} busy={busy} onAdd={() => void addMenu(picked.menu)} />
      )}

      <div class="field catalogue-search">
        <label class="field-label" for="catalogue-query">{t('orderCat.search')}</label>
        <input id="catalogue-query" type="search" value={query} autoComplete="off" enterKeyHint="search"
          placeholder={t('orderCat.searchHint')} onFocus={(event) => toTop(event.currentTarget.closest('.field'))}
          onInput={(event) => { setQuery(event.currentTarget.value); setPicked(null); }} />
      </div>
      {query.trim() && hits.length === 0 && <p class="muted">{t('orderCat.none')}</p>}
      {hits.length > 0 && (
        <ul class="catalogue-results" aria-label={t('orderCat.results')}>
          {hits.map((hit) => {
            const open = picked !== null && hitKey(picked) === hitKey(hit);
            return (
              <li key={hitKey(hit)}>
                <button type="button" class="catalogue-hit" aria-expanded={open} onClick={() => pick(hit)}>
                  <HitText index={index} hit={hit} car={car} />
                </button>
                {open && hit.kind === 'menu' && (
                  <MenuPreview index={index} menu={hit.menu} car={car} busy={busy} onAdd={() => void addMenu(hit.menu)} />
                )}
                {open && hit.kind === 'labour' && (
                  <div class="catalogue-picked">
                    <button type="button" class="button-primary" disabled={busy} onClick={() => void addLine({
                      kind: 'labour', description: hit.op.name, hours: hit.hours, rate: hit.rate, op_code: hit.op.code,
                    })}>{t('orderCat.add')}</button>
                  </div>
                )}
                {open && hit.kind === 'part' && (
                  <PartPicked index={index} part={hit.part} busy={busy} onAdd={(line) => void addLine(line)} />
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

const hitKey = (hit: Hit) => (hit.kind === 'part' ? `p:${hit.part.part_key}` : hit.kind === 'labour' ? `o:${hit.op.code}` : `m:${hit.menu.menu_id}`);

const menuTotal = (index: CatalogueIndex, menu: Menu, car: Car) =>
  index.menuLines(menu, car).reduce((total, line) => total + lineAmount(line), 0);

export const GradeChip = ({ grade }: { grade: string }) =>
  <span class={`tag grade grade-${grade}`}>{t(`grade.${grade}` as 'grade.oem')}</span>;

function HitText({ index, hit, car }: { index: CatalogueIndex; hit: Hit; car: Car }) {
  if (hit.kind === 'menu') {
    return (<>
      <span class="catalogue-hit-kind">{t('orderCat.menu')}</span>
      <span class="catalogue-hit-name">{hit.menu.name}</span>
      <span class="catalogue-hit-price">{formatMoney(menuTotal(index, hit.menu, car))}</span>
    </>);
  }
  if (hit.kind === 'labour') {
    return (<>
      <span class="catalogue-hit-kind">{t('line.labour')}</span>
      <span class="catalogue-hit-name">{hit.op.name}
        <span class="muted catalogue-hit-detail">{tf('orderCat.labourDetail', { hours: hit.hours, rate: formatMoney(hit.rate) })}</span></span>
      <span class="catalogue-hit-price">{formatMoney(Math.round(hit.hours * hit.rate))}</span>
    </>);
  }
  const { part } = hit;
  return (<>
    <span class="catalogue-hit-kind"><GradeChip grade={part.grade} /></span>
    <span class="catalogue-hit-name">{part.name}
      <span class="muted catalogue-hit-detail">{part.part_number}{part.brand ? ` · ${part.brand}` : ''}</span></span>
    <span class="catalogue-hit-price">{formatMoney(part.price)}</span>
  </>);
}

function MenuPreview({ index, menu, car, busy, onAdd }: { index: CatalogueIndex; menu: Menu; car: Car; busy: boolean; onAdd: () => void }) {
  const lines = index.menuLines(menu, car);
  const box = useRef<HTMLDivElement>(null);
  // Opened under the menus: its add button comes into view, not below the fold.
  useEffect(() => { box.current?.scrollIntoView?.({ block: 'nearest' }); }, [menu.menu_id]);
  return (
    <div class="catalogue-picked" data-testid="menu-preview" ref={box}>
      <ul class="catalogue-menu-lines">
        {lines.map((line, i) => (
          <li key={i}><span>{line.description}{line.grade ? <> <GradeChip grade={line.grade} /></> : null}</span>
            <span>{formatMoney(lineAmount(line))}</span></li>
        ))}
      </ul>
      <p class="catalogue-menu-total">{tf('orderCat.total', { amount: formatMoney(lines.reduce((sum, line) => sum + lineAmount(line), 0)) })}</p>
      <button type="button" class="button-primary" disabled={busy || lines.length === 0} onClick={onAdd}>
        {tf('orderCat.menuAdd', { n: lines.length })}
      </button>
    </div>
  );
}

const asOption = (part: Part): LineOption => ({
  part_key: part.part_key, part_number: part.part_number, description: part.name, grade: part.grade,
  ...(part.brand ? { brand: part.brand } : {}), unit_price: part.price,
});

/** A part tapped: how many, and which other grades of it to offer the customer beside it. */
function PartPicked({ index, part, busy, onAdd }: { index: CatalogueIndex; part: Part; busy: boolean; onAdd: (line: NewLine) => void }) {
  const others = index.alternatives(part.part_key).slice(0, MAX_OPTIONS - 1);
  const [offered, setOffered] = useState<string[]>([]);
  const [quantity, setQuantity] = useState('1');
  const qty = wholeNumber(quantity);
  const toggle = (key: string) => setOffered((current) => (current.includes(key) ? current.filter((k) => k !== key) : [...current, key]));

  function add() {
    const chosen = others.filter((other) => offered.includes(other.part_key));
    onAdd({
      kind: 'part', description: part.name, part_number: part.part_number, quantity: qty ?? 1, unit_price: part.price,
      part_key: part.part_key, grade: part.grade, ...(part.brand ? { brand: part.brand } : {}),
      ...(chosen.length ? { alternatives: [part, ...chosen].map(asOption) } : {}),
    });
  }

  return (
    <div class="catalogue-picked">
      {others.length > 0 && (
        <fieldset class="catalogue-offer">
          <legend class="field-label">{t('orderCat.offer')}</legend>
          <p class="muted">{t('orderCat.offerLead')}</p>
          {others.map((other) => (
            <label key={other.part_key} class="check">
              <input type="checkbox" checked={offered.includes(other.part_key)} onChange={() => toggle(other.part_key)} />
              <span><GradeChip grade={other.grade} /> {other.part_number}{other.brand ? ` · ${other.brand}` : ''} · {formatMoney(other.price)}</span>
            </label>
          ))}
        </fieldset>
      )}
      <div class="catalogue-picked-row">
        <div class="field catalogue-qty">
          <label class="field-label" for={`qty-${part.part_key}`}>{t('line.quantity')}</label>
          <input id={`qty-${part.part_key}`} value={quantity} inputMode="numeric" pattern="[0-9]*" autoComplete="off"
            onInput={(event) => setQuantity(event.currentTarget.value)} />
        </div>
        <button type="button" class="button-primary" disabled={busy || qty === undefined || Number.isNaN(qty) || qty < 1} onClick={add}>
          {t('orderCat.add')}
        </button>
      </div>
    </div>
  );
}

/** The search box at the top of the screen's scroller while typing, its results below it in view
 * (the on-screen keyboard takes the bottom half). Not scrollIntoView: that moves the whole page. */
function toTop(element: Element | null) {
  const scroller = element?.closest('.main');
  if (!element || !scroller) return;
  const top = scroller.scrollTop + element.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
  scroller.scrollTo({ top, behavior: 'smooth' });
}
