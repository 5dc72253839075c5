// Product catalogue and price lists as shared cached resources (keys start with "catalogue:").
import { api } from '../../api/client';
import { useResource } from '../../api/store';
import type { Page, PriceList, PriceListPrices, Product } from '../../api/types';

/** The API's page size limit; the product picker offers at most this many products. */
export const CATALOGUE_LIMIT = 500;

export function useProducts(activeOnly = false) {
  return useResource<Product[]>(`catalogue:products:${activeOnly ? 'active' : 'all'}`, () =>
    api
      .get<Page<Product>>('/products', { limit: CATALOGUE_LIMIT, sort: 'name', ...(activeOnly ? { 'filter[active]': true } : {}) })
      .then((p) => p.data),
  );
}

export function usePriceLists() {
  return useResource<PriceList[]>('catalogue:price_lists', () =>
    api.get<Page<PriceList>>('/price_lists', { limit: CATALOGUE_LIMIT, sort: 'name' }).then((p) => p.data),
  );
}

export function usePriceListPrices(id: string | null) {
  return useResource<PriceListPrices>(id ? `catalogue:prices:${id}` : null, () => api.get<PriceListPrices>(`/price-lists/${id}/prices`));
}
