// Human text for a failed request: translated for transport and access failures; the server's
// own (curated) detail for validation and conflicts, whose field messages appear beside fields.
import type { TFunction } from 'i18next';
import { isApiError } from './client';

export function errorText(t: TFunction, e: unknown): string {
  if (!isApiError(e)) return t('errors.unexpected');
  const fields = Object.entries(e.fieldErrors);
  switch (e.status) {
    case 0:
      return t('errors.network');
    case 401:
      return t('errors.signedOut');
    case 403:
      return t('errors.forbidden');
    case 404:
      return t('errors.notFound');
    case 412:
      return t('records.staleWrite');
    case 413:
      return t('errors.tooLarge');
    case 429:
      return t('errors.rateLimited');
    default:
      if (e.status >= 500) return t('errors.server');
      if (fields.length) return fields.map(([k, v]) => `${k}: ${v}`).join('; ');
      return e.message;
  }
}
