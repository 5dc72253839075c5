import { describe, expect, test } from 'vitest';
import { isModified, stateOf, viewSearch } from './SavedViews';

describe('saved views in the URL', () => {
  const view = { id: 'v1', filters: { 'filter[status]': 'new', 'filter[amount][gte]': '100' }, sort: '-amount' };

  test('a view opens as ?view= plus its filters and sort, and reads back the same', () => {
    const search = viewSearch(view);
    const params = new URLSearchParams(search);
    expect(params.get('view')).toBe('v1');
    expect(stateOf(params)).toEqual({ filters: view.filters, sort: '-amount' });
    expect(isModified(view, params)).toBe(false);
  });

  test('a filter or sort changed after opening marks the view modified', () => {
    const params = new URLSearchParams(viewSearch(view));
    params.set('filter[owner_id]', 'u1');
    expect(isModified(view, params)).toBe(true);
    const sorted = new URLSearchParams(viewSearch(view));
    sorted.set('sort', 'amount');
    expect(isModified(view, sorted)).toBe(true);
    const removed = new URLSearchParams(viewSearch(view));
    removed.delete('filter[status]');
    expect(isModified(view, removed)).toBe(true);
  });
});
