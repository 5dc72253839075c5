// The contact card's analytics panel: RFM segment and scores, P(alive), expected purchases, CLV,
// regular-customer flag with the suggested discount, and the next best offer.
import { useTranslation } from 'react-i18next';
import { api, isApiError } from '../../api/client';
import { errorText } from '../../api/errors';
import { useResource } from '../../api/store';
import { formatDate, formatDecimal, formatMoney, formatPercent, formatSums } from '../../i18n/format';
import { Link } from '../../router';
import { Spinner } from '../../ui/Misc';
import type { ContactAnalytics as Data } from './api';
import { toRatio } from './chartMath';

export function ContactAnalytics({ id }: { id: string }) {
  const { t } = useTranslation();
  const res = useResource<Data>(`contact-analytics:${id}`, () => api.get<Data>(`/contacts/${id}/analytics`));
  // A server without the analytics module answers 404 for the route: no panel then.
  if (isApiError(res.error) && (res.error.status === 404 || res.error.status === 405)) return null;
  const d = res.data;
  const clv = d?.clv ?? null;
  const money = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? formatMoney(v, clv?.currency ?? null) : '—');
  const discount = toRatio(d?.suggested_discount_percent);
  return (
    <section className="card" aria-labelledby="ca-h" data-testid="contact-analytics">
      <div className="card-head">
        <h2 id="ca-h" className="grow">
          {t('contactAnalytics.title')}
        </h2>
        {d?.rfm?.segment && (
          <Link className="badge badge-accent" to={`/contacts?${new URLSearchParams({ 'filter[rfm_segment]': d.rfm.segment }).toString()}`}>
            {t(`analytics.segments.${d.rfm.segment}`, { defaultValue: d.rfm.segment })}
          </Link>
        )}
      </div>
      {res.loading ? (
        <Spinner label={t('common.loading')} />
      ) : res.error ? (
        <div className="card-body">
          <div className="form-error" role="alert">
            {errorText(t, res.error)}
          </div>
        </div>
      ) : (
        <div className="card-body stack">
          <div className="prop">
            <span className="prop-label">{t('contactAnalytics.rfm')}</span>
            <span className="prop-value">
              {d?.rfm && d.rfm.r !== null && d.rfm.r !== undefined ? t('contactAnalytics.rfmScores', { r: d.rfm.r, f: d.rfm.f ?? '—', m: d.rfm.m ?? '—' }) : <span className="prop-empty">{t('contactAnalytics.noOrders')}</span>}
            </span>
          </div>
          {d?.rfm?.orders ? (
            <div className="prop">
              <span className="prop-label">{t('contactAnalytics.orders')}</span>
              <span className="prop-value">
                {t('contactAnalytics.ordersSummary', { count: d.rfm.orders, sum: formatSums(d.rfm.revenue, false), last: formatDate(d.rfm.last_order_at ?? null) })}
              </span>
            </div>
          ) : null}
          <div className="prop">
            <span className="prop-label">{t('contactAnalytics.pAlive')}</span>
            <span className="prop-value">{clv ? formatPercent(toRatio(clv.p_alive)) || '—' : <span className="prop-empty">{t('contactAnalytics.notFitted')}</span>}</span>
          </div>
          <div className="prop">
            <span className="prop-label">{t('contactAnalytics.expectedPurchases')}</span>
            <span className="prop-value">{clv ? formatDecimal(toRatio(clv.expected_purchases), 2) || '—' : '—'}</span>
          </div>
          <div className="prop">
            <span className="prop-label">{t('contactAnalytics.clv')}</span>
            <span className="prop-value">{clv ? money(clv.clv) : '—'}</span>
          </div>
          <div className="prop">
            <span className="prop-label">{t('contactAnalytics.regular')}</span>
            <span className="prop-value">
              {d?.regular_customer ? (
                <span className="badge badge-success">{discount !== null && discount > 0 ? t('contactAnalytics.regularDiscount', { value: formatDecimal(discount, 2) }) : t('common.yes')}</span>
              ) : (
                t('common.no')
              )}
            </span>
          </div>
          <div className="stack" style={{ gap: 4 }}>
            <span className="prop-label">{t('contactAnalytics.nextBestOffer')}</span>
            {d?.next_best_offer?.length ? (
              <ol className="nbo-list">
                {d.next_best_offer.slice(0, 5).map((p) => (
                  <li key={p.product_id}>
                    <Link to={`/products/${p.product_id}`}>{p.name || p.sku || p.product_id}</Link>
                    {p.sku && <span className="muted"> · {p.sku}</span>}
                    {toRatio(p.score) !== null && <span className="muted"> · {formatDecimal(toRatio(p.score), 2)}</span>}
                  </li>
                ))}
              </ol>
            ) : (
              <span className="prop-empty">{t('contactAnalytics.noOffer')}</span>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
