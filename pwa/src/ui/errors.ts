import { tf, t } from '../i18n';
import { ApiError, OfflineError } from '../data/http';

/** What a person reads for a failed call: the API's own message (in their language) or "offline". */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof OfflineError) return t('error.offline');
  return t('error.unknown');
}

export const uploadFailedText = (error: unknown) => tf('error.uploadFailed', { message: errorText(error) });
