// A checklist template, for an owner or manager: the walk-around's (檢查項目範本) and the final
// check's (品檢項目); items by group, renamed in both languages, added, removed, moved within
// their group; saved whole (PUT) through the write queue. The steps themselves are pure
// (data/template.ts).
import { useEffect, useRef, useState } from 'preact/hooks';
import { locale, t, tf, type MessageKey } from '../../i18n';
import { inspectionTemplate, replaceInspectionTemplate } from '../../data/api';
import type { TemplateGroup, TemplateItem } from '../../data/inspection';
import type { WriteOutcome } from '../../data/queue';
import {
  addItem, draftOf, MAX_ITEMS, MAX_NAME, moveItem, removeItem, rename, sections, templateToSave,
  type Draft, type DraftItem, type Template,
} from '../../data/template';
import { errorText } from '../errors';
import { Notice } from '../Notice';

type Message = { tone: 'error' | 'ok' | 'info'; text: string };

const PROBLEMS = {
  empty: () => t('settings.templateEmpty'),
  tooMany: () => tf('settings.templateTooMany', { max: MAX_ITEMS }),
  nameMissing: () => t('settings.templateNameMissing'),
  nameTooLong: () => tf('settings.templateNameTooLong', { max: MAX_NAME }),
};

/** Which checklist: where it is read and saved, and what the panel is called. */
export interface TemplateSource {
  id: string;
  title: MessageKey;
  lead: MessageKey;
  load: () => Promise<Template>;
  save: (template: { items: TemplateItem[]; groups: TemplateGroup[] }) => Promise<WriteOutcome<Template>>;
}

const WALK_AROUND: TemplateSource = {
  id: 'template', title: 'settings.template', lead: 'settings.templateLead',
  load: inspectionTemplate, save: replaceInspectionTemplate,
};

export function TemplateEditor({ source = WALK_AROUND }: { source?: TemplateSource }) {
  const [draft, setDraft] = useState<Draft | null>(null);
  const [saved, setSaved] = useState<Draft | null>(null);
  const [invalid, setInvalid] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);
  const [focusKey, setFocusKey] = useState<string | null>(null);
  const newKeys = useRef(0);

  function adopt(next: Draft): void {
    setDraft(next);
    setSaved(next);
    setInvalid(new Set());
  }

  useEffect(() => {
    source.load().then((template) => adopt(draftOf(template)), (failure: unknown) =>
      setMessage({ tone: 'error', text: tf('settings.loadFailed', { reason: errorText(failure) }) }));
  }, []);

  useEffect(() => {
    if (!focusKey) return;
    document.getElementById(`${source.id}-${focusKey}-zh`)?.focus();
    setFocusKey(null);
  }, [focusKey]);

  if (!draft) {
    return (
      <section class="panel" aria-labelledby={`${source.id}-title`}>
        <h2 id={`${source.id}-title`}>{t(source.title)}</h2>
        {message ? <Notice tone={message.tone}>{message.text}</Notice> : <p class="muted">{t('common.loading')}</p>}
      </section>
    );
  }

  const english = locale.value === 'en';
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);
  const edit = (next: Draft) => {
    setDraft(next);
    setMessage(null);
  };

  function add(group: string): void {
    const key = `new-${++newKeys.current}`;
    edit(addItem(draft!, group, key));
    setFocusKey(key);
  }

  async function save(): Promise<void> {
    const checked = templateToSave(draft!);
    if (!checked.ok) {
      setInvalid(new Set(checked.keys));
      setMessage({ tone: 'error', text: PROBLEMS[checked.problem]() });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const outcome = await source.save(checked.body);
      if (outcome.sent) {
        adopt(draftOf(outcome.body));
        setMessage({ tone: 'ok', text: t('settings.templateSaved') });
      } else {
        setSaved(draft);
        setInvalid(new Set());
        setMessage({ tone: 'info', text: t('common.queued') });
      }
    } catch (failure) {
      setMessage({ tone: 'error', text: errorText(failure) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="panel template" aria-labelledby={`${source.id}-title`}>
      <h2 id={`${source.id}-title`}>{t(source.title)}</h2>
      <p class="muted">{t(source.lead)}</p>
      <div class="template-columns" aria-hidden="true">
        <span>{t('settings.nameZh')}</span>
        <span>{t('settings.nameEn')}</span>
      </div>
      {sections(draft).map(({ group, items }) => {
        const groupName = english ? group.en : group.zh;
        return (
          <section class="template-group" key={group.group} aria-labelledby={`${source.id}-group-${group.group}`}>
            <h3 id={`${source.id}-group-${group.group}`}>{groupName}</h3>
            {items.length === 0 && <p class="muted">{t('settings.groupEmpty')}</p>}
            <ol class="template-items">
              {items.map((item, i) => (
                <TemplateRow key={item.key} prefix={source.id} item={item} n={i + 1} groupName={groupName}
                  first={i === 0} last={i === items.length - 1} invalid={invalid.has(item.key)}
                  onRename={(language, name) => edit(rename(draft, item.key, language, name))}
                  onMove={(step) => edit(moveItem(draft, item.key, step))}
                  onRemove={() => edit(removeItem(draft, item.key))} />
              ))}
            </ol>
            <button type="button" class="button-secondary template-add" onClick={() => add(group.group)}
              aria-label={tf('settings.addItemTo', { group: groupName })}>
              ＋ {t('settings.addItem')}
            </button>
          </section>
        );
      })}
      <div class={dirty ? 'template-save template-save-dirty' : 'template-save'}>
        {message ? <Notice tone={message.tone}>{message.text}</Notice>
          : dirty && <p class="muted" aria-live="polite">{t('settings.templateUnsaved')}</p>}
        <div class="button-row">
          <button type="button" class="button-primary" disabled={busy || !dirty} onClick={() => void save()}>
            {t('settings.templateSave')}
          </button>
          {dirty && (
            <button type="button" class="button-secondary" disabled={busy} onClick={() => { setDraft(saved); setInvalid(new Set()); setMessage(null); }}>
              {t('settings.templateDiscard')}
            </button>
          )}
        </div>
      </div>
    </section>
  );
}

function TemplateRow({ prefix, item, n, groupName, first, last, invalid, onRename, onMove, onRemove }: {
  prefix: string; item: DraftItem; n: number; groupName: string; first: boolean; last: boolean; invalid: boolean;
  onRename: (language: 'zh' | 'en', name: string) => void; onMove: (step: -1 | 1) => void; onRemove: () => void;
}) {
  const name = (locale.value === 'en' ? item.en : item.zh) || item.zh || item.en || t('settings.newItem');
  const missing = (text: string) => invalid && !text.trim();
  return (
    <li class="template-item" data-item={item.item_id ?? ''}>
      <input id={`${prefix}-${item.key}-zh`} value={item.zh} maxLength={MAX_NAME} autoComplete="off"
        aria-label={tf('settings.itemZh', { group: groupName, n })} aria-invalid={missing(item.zh) || undefined}
        placeholder={t('settings.nameZh')} onInput={(event) => onRename('zh', event.currentTarget.value)} />
      <input id={`${prefix}-${item.key}-en`} value={item.en} maxLength={MAX_NAME} autoComplete="off" lang="en"
        aria-label={tf('settings.itemEn', { group: groupName, n })} aria-invalid={missing(item.en) || undefined}
        placeholder={t('settings.nameEn')} onInput={(event) => onRename('en', event.currentTarget.value)} />
      <div class="template-actions">
        <button type="button" class="button-secondary" disabled={first} onClick={() => onMove(-1)}
          aria-label={tf('settings.moveUp', { name })}>↑</button>
        <button type="button" class="button-secondary" disabled={last} onClick={() => onMove(1)}
          aria-label={tf('settings.moveDown', { name })}>↓</button>
        <button type="button" class="button-danger" onClick={onRemove} aria-label={tf('settings.remove', { name })}>
          {t('settings.removeShort')}
        </button>
      </div>
    </li>
  );
}
