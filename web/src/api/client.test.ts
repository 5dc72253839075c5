// The client's pure parts: query strings, problem+json into field errors, ETag versions, error text.
import { describe, expect, it } from 'vitest';
import { i18n } from '../i18n';
import { ApiError, buildQuery, versionFromEtag } from './client';
import { errorText } from './errors';
import { matchPath } from '../router';

describe('api client', () => {
  it('builds query strings and drops empty values', () => {
    expect(buildQuery({ 'filter[status]': 'lost', limit: 50, cursor: undefined, sort: '' })).toBe('?filter%5Bstatus%5D=lost&limit=50');
    expect(buildQuery({})).toBe('');
  });

  it('maps problem+json errors to fields (custom.x to x, repeated fields joined)', async () => {
    await i18n.changeLanguage('en');
    const e = new ApiError(400, {
      detail: 'Validation failed',
      errors: [
        { field: 'amount', message: 'must be a decimal' },
        { field: 'custom.segment', message: 'is not an option' },
        { field: 'amount', message: 'must not be negative' },
      ],
    });
    expect(e.fieldErrors).toEqual({ amount: 'must be a decimal; must not be negative', segment: 'is not an option' });
    expect(e.message).toBe('Validation failed');
  });

  it('reads versions from strong and weak ETags', () => {
    expect(versionFromEtag('"7"')).toBe(7);
    expect(versionFromEtag('W/"12"')).toBe(12);
    expect(versionFromEtag(null)).toBeUndefined();
  });

  it('explains failures in the user language', async () => {
    await i18n.changeLanguage('ru');
    expect(errorText(i18n.t, new ApiError(0, {}))).toMatch(/Нет связи/);
    expect(errorText(i18n.t, new ApiError(403, { detail: 'Only administrators can do this' }))).toMatch(/Недостаточно прав/);
    expect(errorText(i18n.t, new ApiError(409, { detail: 'The lead is already converted' }))).toBe('The lead is already converted');
    await i18n.changeLanguage('en');
    expect(errorText(i18n.t, new ApiError(412, {}))).toMatch(/Someone else changed/);
  });

  it('matches route patterns', () => {
    expect(matchPath('/:entity/:id', '/deals/01abc')).toEqual({ entity: 'deals', id: '01abc' });
    expect(matchPath('/settings/:tab', '/settings')).toBeNull();
    expect(matchPath('/board', '/board')).toEqual({});
  });
});
