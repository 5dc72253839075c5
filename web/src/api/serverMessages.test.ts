// Server field messages read in the user's language, numbers kept; unknown text passes through.
import { afterAll, describe, expect, it } from 'vitest';
import { i18n } from '../i18n';
import { ApiError } from './client';
import { localizeServerMessage } from './serverMessages';

describe('server messages', () => {
  afterAll(async () => {
    await i18n.changeLanguage('en');
  });

  it('translates known messages with their numbers', async () => {
    await i18n.changeLanguage('ru');
    expect(localizeServerMessage('must be between 0 and 100, with up to 2 decimals')).toBe('от 0 до 100, не больше 2 знаков после запятой');
    expect(localizeServerMessage('has more than 2 fraction digits')).toBe('больше 2 знаков после запятой');
    expect(localizeServerMessage('the price list is in USD, the deal in RUB')).toBe('прайс-лист в USD, а сделка в RUB');
    await i18n.changeLanguage('uk');
    expect(localizeServerMessage('is already used by another product')).toBe('цей артикул уже в іншого товару');
  });

  it('keeps the server’s English in English and unknown messages as they are', async () => {
    await i18n.changeLanguage('en');
    expect(localizeServerMessage('has more than 3 fraction digits')).toBe('has more than 3 fraction digits');
    await i18n.changeLanguage('ru');
    expect(localizeServerMessage('is not a stage of this pipeline')).toBe('is not a stage of this pipeline');
  });

  it('applies to the field errors of a failed request', async () => {
    await i18n.changeLanguage('ru');
    const e = new ApiError(400, { errors: [{ field: 'lines[0].discount_percent', message: 'must be between 0 and 100, with up to 2 decimals' }] });
    expect(e.fieldErrors['lines[0].discount_percent']).toBe('от 0 до 100, не больше 2 знаков после запятой');
  });
});
