// The final check's list (品檢項目) as the shop wants it, in the walk-around template's editor:
// one group. The item `road_test` keeps its code when renamed (it takes the distance driven).
import { t } from '../../i18n';
import { qualityTemplate, replaceQualityTemplate } from '../../data/api';
import type { QualityItem } from '../../data/types';
import type { Template } from '../../data/template';
import { TemplateEditor, type TemplateSource } from './TemplateEditor';

const asTemplate = ({ items }: { items: QualityItem[] }): Template => ({
  items: items.map(({ item_id, zh, en }) => ({ item_id, zh, en, group: 'quality' })),
  groups: [{ group: 'quality', zh: t('settings.qualityGroup'), en: 'Final check' }],
});

const QUALITY: TemplateSource = {
  id: 'quality-template', title: 'settings.qualityTemplate', lead: 'settings.qualityTemplateLead',
  load: () => qualityTemplate().then(asTemplate),
  save: async (template) => {
    const outcome = await replaceQualityTemplate(template.items);
    return outcome.sent ? { sent: true, body: asTemplate(outcome.body) } : outcome;
  },
};

export function QualityTemplateEditor() {
  return <TemplateEditor source={QUALITY} />;
}
