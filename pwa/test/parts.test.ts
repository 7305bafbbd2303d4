import { describe, expect, it } from 'vitest';
import {
  addToBatch, applyBatchAnswer, codeFromPath, codeFromScan, codesToSend, displayCode, emptyDraft, formatEntry, likelyCategory,
  moveFromDraft, normaliseCode, parseQuantity, removeFromBatch, scanGate, shiftMonth, taipeiMonth, MAX_BATCH, type BatchItem,
} from '../src/data/parts';
import { parseRoute, routeOf } from '../src/ui/router';
import type { BatchAnswer, TagSummary } from '../src/data/types';

describe('a code as typed', () => {
  it('takes any case, with one space or hyphen after four, spaces around', () => {
    for (const typed of ['ABCDEFGH', 'abcdefgh', 'ABCD EFGH', 'abcd-efgh', '  AbCd eFgH  ']) {
      expect(normaliseCode(typed), typed).toBe('ABCDEFGH');
    }
  });

  it('refuses the ambiguous 0, O, 1 and I, other lengths and stray separators', () => {
    for (const typed of ['ABCD0FGH', 'ABCDOFGH', 'ABCD1FGH', 'ABCDIFGH', 'ABCDEFG', 'ABCDEFGHJ', 'AB CDEFGH', 'ABCD  EFGH', 'ABCD_EFGH', '']) {
      expect(normaliseCode(typed), typed).toBeNull();
    }
  });

  it('is shown as printed under the QR, and grouped while being typed', () => {
    expect(displayCode('ABCDEFGH')).toBe('ABCD EFGH');
    expect(formatEntry('abc')).toBe('ABC');
    expect(formatEntry('abcde')).toBe('ABCD E');
    expect(formatEntry('ab-cd efgh zz')).toBe('ABCD EFGH');
  });
});

describe('a scanned QR', () => {
  it('gives the code from the tag URL <origin>/q/<CODE>, on any origin', () => {
    expect(codeFromScan('https://servicelane.example.com.tw/q/ABCDEFGH')).toBe('ABCDEFGH');
    expect(codeFromScan('http://127.0.0.1:8000/q/abcdefgh/')).toBe('ABCDEFGH');
    expect(codeFromScan(' https://x.tw/q/ABCD%20EFGH ')).toBe('ABCDEFGH');
  });

  it('takes a bare code as text, and nothing else', () => {
    expect(codeFromScan('abcd efgh')).toBe('ABCDEFGH');
    expect(codeFromScan('https://x.tw/t/ABCDEFGH')).toBeNull(); // a customer's link, not a tag
    expect(codeFromScan('https://x.tw/q/ABCDEFGH/extra')).toBeNull();
    expect(codeFromScan('https://x.tw/q/ABCD0FGH')).toBeNull();
    expect(codeFromScan('WIFI:S:shop;T:WPA;P:secret;;')).toBeNull();
    expect(codeFromScan('http://[broken')).toBeNull();
  });

  it('is let through once while the camera keeps seeing it, another code at once', () => {
    let now = 0;
    const pass = scanGate(2500, () => now);
    expect(pass('AAAAAAAA')).toBe(true);
    now = 200;
    expect(pass('AAAAAAAA')).toBe(false);
    expect(pass('BBBBBBBB')).toBe(true);
    now = 2600;
    expect(pass('AAAAAAAA')).toBe(false); // still in sight: last seen at 200, quiet until 2700
    now = 5300;
    expect(pass('AAAAAAAA')).toBe(true);
  });
});

describe('the tag page address', () => {
  it('opens the tag from the path a phone camera opens, or from the hash inside the app', () => {
    expect(codeFromPath('/q/ABCDEFGH')).toBe('ABCDEFGH');
    expect(codeFromPath('/')).toBeNull();
    expect(routeOf('', '/q/abcdefgh')).toEqual({ name: 'part', code: 'ABCDEFGH', signIn: false });
    expect(routeOf('#/board', '/q/ABCDEFGH')).toEqual({ name: 'board' });
    expect(parseRoute('#/q/abcd-efgh')).toEqual({ name: 'part', code: 'ABCDEFGH', signIn: false });
    expect(parseRoute('#/q/ABCDEFGH/sign-in')).toEqual({ name: 'part', code: 'ABCDEFGH', signIn: true });
    expect(parseRoute('#/q/nonsense')).toEqual({ name: 'part', code: 'nonsense', signIn: false });
    expect(parseRoute('#/scan/batch')).toEqual({ name: 'scan', batch: true });
    expect(parseRoute('#/parts/report')).toEqual({ name: 'parts-report' });
  });
});

const summary = (code: string): TagSummary => ({
  code, display_code: displayCode(code), url: `https://x.tw/q/${code}`, tag_id: `t-${code}`, part_name: '機油濾芯',
  quantity: 1, unit: 'piece', wish: 'dispose', state: 'held', location: 'A-01', created_at: '', updated_at: '',
  created_by: { staff_id: 's', name: '阿明' }, decided: true,
});

describe('a crate moved in one request', () => {
  it('adds each code once, in the order scanned', () => {
    let list: BatchItem[] = [];
    const added: boolean[] = [];
    for (const code of ['AAAAAAAA', 'BBBBBBBB', 'AAAAAAAA', 'CCCCCCCC']) {
      const next = addToBatch(list, code);
      list = next.list;
      added.push(next.added);
    }
    expect(list.map((item) => item.code)).toEqual(['AAAAAAAA', 'BBBBBBBB', 'CCCCCCCC']);
    expect(added).toEqual([true, true, false, true]);
    expect(removeFromBatch(list, 'BBBBBBBB').map((item) => item.code)).toEqual(['AAAAAAAA', 'CCCCCCCC']);
  });

  it('stops at the API limit per request', () => {
    let list: BatchItem[] = [];
    for (let i = 0; i < MAX_BATCH; i++) list = addToBatch(list, `CODE${String(i).padStart(4, '0')}`).list;
    expect(addToBatch(list, 'ZZZZZZZZ').added).toBe(false);
  });

  it('marks each code moved or refused from the answer, and sends only the rest again', () => {
    const list = ['AAAAAAAA', 'BBBBBBBB', 'CCCCCCCC'].reduce<BatchItem[]>((l, code) => addToBatch(l, code).list, []);
    const answer: BatchAnswer = {
      event_id: 'e1', to: 'held', moved: 2, failed: 1, results: [
        { code: 'AAAAAAAA', ok: true, tag: summary('AAAAAAAA') },
        { code: 'BBBBBBBB', ok: false, error: { code: 'tag_closed', message: '這個舊品已交還客戶，不能再變更。' } },
        { code: 'CCCCCCCC', ok: true, tag: summary('CCCCCCCC') },
      ],
    };
    const after = applyBatchAnswer(list, answer);
    expect(after.map((item) => item.status)).toEqual(['moved', 'failed', 'moved']);
    expect(after[1]!.message).toContain('不能再變更');
    expect(after[0]!.tag?.part_name).toBe('機油濾芯');
    expect(codesToSend(after)).toEqual(['BBBBBBBB']);
  });
});

describe('a move as the API takes it', () => {
  it('needs a shelf to go to the holding area', () => {
    expect(moveFromDraft('held', emptyDraft())).toEqual({ problem: 'location' });
    expect(moveFromDraft('held', { ...emptyDraft(), location: ' A-01 ', note: '' })).toEqual({ move: { to: 'held', location: 'A-01' } });
  });

  it('needs the recycler to dispose of a part, takes a quantity in the category unit', () => {
    expect(moveFromDraft('disposed', { ...emptyDraft('waste_oil') })).toEqual({ problem: 'recycler' });
    expect(moveFromDraft('disposed', { ...emptyDraft('waste_oil'), recycler: '大豐回收', quantity: '-2' })).toEqual({ problem: 'quantity' });
    expect(moveFromDraft('disposed', { ...emptyDraft('waste_oil'), recycler: '大豐回收', quantity: '4.5', manifest: 'M-1' })).toEqual({
      move: { to: 'disposed', disposal: { category: 'waste_oil', recycler: '大豐回收', quantity: 4.5, manifest_number: 'M-1' } },
    });
  });

  it('sends only the supplier references given, and never a location with another move', () => {
    expect(moveFromDraft('returned_to_supplier', { ...emptyDraft(), rma: 'RMA-7', location: 'A-01' })).toEqual({
      move: { to: 'returned_to_supplier', supplier_return: { rma: 'RMA-7' } },
    });
    expect(moveFromDraft('kept_as_evidence', { ...emptyDraft(), note: '保險理賠' })).toEqual({ move: { to: 'kept_as_evidence', note: '保險理賠' } });
  });

  it('reads quantities as the API takes them', () => {
    expect([parseQuantity('1'), parseQuantity('4,5'), parseQuantity('0.125'), parseQuantity('0'), parseQuantity('1.2345'), parseQuantity('abc')])
      .toEqual([1, 4.5, 0.125, null, null, null]);
  });

  it('guesses the recycling category from the part', () => {
    expect(likelyCategory({ part_name: '廢機油', unit: 'litre' })).toBe('waste_oil');
    expect(likelyCategory({ part_name: '機油濾芯', unit: 'piece' })).toBe('filter');
    expect(likelyCategory({ part_name: '電瓶 55B24L', unit: 'piece' })).toBe('battery');
    expect(likelyCategory({ part_name: '輪胎 205/55R16', unit: 'piece' })).toBe('tyre');
    expect(likelyCategory({ part_name: '前輪煞車來令片', unit: 'piece' })).toBe('metal');
    expect(likelyCategory({ part_name: '含氧感知器', unit: 'piece' })).toBe('other');
  });
});

describe('the report months', () => {
  it('are Taiwan months, moved across years', () => {
    expect(taipeiMonth(new Date('2026-10-31T16:30:00Z'))).toBe('2026-11'); // 00:30 on 1 Nov in Taipei
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(shiftMonth('2026-12', 1)).toBe('2027-01');
  });
});
