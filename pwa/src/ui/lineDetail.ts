import { tf } from '../i18n';
import { formatMoney } from '../data/format';

/** How a job line was priced, as the order screen and the signed documents both show it:
 * `1.5 h × NT$800` for labour, `2 × NT$450` for a part, nothing for a discount. */
export function lineDetail(line: { kind: string; hours?: number | string; rate?: number; quantity?: number | string; unit_price?: number }): string {
  if (line.kind === 'labour' && line.hours !== undefined && line.rate !== undefined) {
    return tf('line.detailLabour', { hours: line.hours, rate: formatMoney(line.rate) });
  }
  if (line.kind === 'part' && line.quantity !== undefined && line.unit_price !== undefined) {
    return tf('line.detailPart', { quantity: line.quantity, price: formatMoney(line.unit_price) });
  }
  return '';
}
