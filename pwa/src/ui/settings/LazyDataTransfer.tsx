import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../../i18n';

// Settings' data export and import (managers): a chunk of its own, fetched when Settings opens.
export function LazyDataTransfer() {
  const [Section, setSection] = useState<FunctionComponent | null>(null);
  useEffect(() => {
    import('../../screens/DataTransfer').then((module) => setSection(() => module.DataTransfer), (error: unknown) => {
      console.warn('The data transfer section did not load; reloading.', error);
      location.reload();
    });
  }, []);
  return Section ? <Section /> : <p class="muted">{t('common.loading')}</p>;
}
