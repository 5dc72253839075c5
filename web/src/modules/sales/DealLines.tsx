// Product lines of a deal: a table with the server's exact totals, and an editor that prices lines
// from a price list (overridable), previews totals in integer minor units, and saves all lines in
// one PUT /deals/{id}/lines with If-Match (server errors appear beside the field of their line).
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, isApiError, request, type FieldErrors } from '../../api/client';
import { invalidate, useResource } from '../../api/store';
import type { DealLine, DealLines as DealLinesBody, PriceList, PriceRow, Product, RecordBody } from '../../api/types';
import { formatMoney, formatNumber } from '../../i18n/format';
import { Link } from '../../router';
import { Icon } from '../../ui/Icon';
import { FieldError, Spinner } from '../../ui/Misc';
import { usePriceListPrices, usePriceLists, useProducts } from './catalogue';
import { normalizeDecimal, previewLine, sumAmounts } from './lineMath';

type Draft = {
  key: string;
  id?: string;
  product_id: string;
  name: string;
  unit: string;
  price: string;
  /** The list price the line was priced from; a typed price different from it is an override. */
  list_price: string | null;
  price_list_id: string | null;
  /** Priced by the chosen list: follows it when the list changes, until the price is typed. */
  follows_list: boolean;
  quantity: string;
  discount_percent: string;
  tax_percent: string;
};

let draftSeq = 0;
const nextKey = () => `new-${++draftSeq}`;

function toDraft(l: DealLine): Draft {
  return {
    key: l.id,
    id: l.id,
    product_id: l.product_id ?? '',
    name: l.name,
    unit: l.unit ?? '',
    price: l.price,
    list_price: null,
    price_list_id: l.price_list_id,
    follows_list: false,
    quantity: String(l.quantity ?? 1),
    discount_percent: l.discount_percent ? String(l.discount_percent) : '',
    tax_percent: l.tax_percent ? String(l.tax_percent) : '',
  };
}

function emptyDraft(): Draft {
  return { key: nextKey(), product_id: '', name: '', unit: '', price: '', list_price: null, price_list_id: null, follows_list: false, quantity: '1', discount_percent: '', tax_percent: '' };
}

function percentText(v: number | null | undefined): string {
  return v ? `${formatNumber(v)} %` : '—';
}

type Props = { deal: RecordBody; canEdit: boolean; onSaved: () => void; onStale: () => void };

export function DealLines({ deal, canEdit, onSaved, onStale }: Props) {
  const { t } = useTranslation();
  const lines = useResource<DealLinesBody>(`lines:${deal.id}`, () => api.get<DealLinesBody>(`/deals/${deal.id}/lines`));
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  useEffect(() => {
    // Leaving the editor puts focus back on the button that opened it.
    if (wasEditing.current && !editing) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);
  const data = lines.data;
  const currency = data?.totals.currency ?? (typeof deal.currency === 'string' ? deal.currency : null);

  return (
    <section className="card deal-lines" aria-labelledby={`lines-${deal.id}`} data-testid="deal-lines">
      <div className="card-head">
        <Icon name="product" size={16} />
        <h2 className="grow" id={`lines-${deal.id}`}>
          {t('lines.title')}
          {data && data.data.length > 0 && <span className="badge" style={{ marginLeft: 8 }}>{data.data.length}</span>}
        </h2>
        {canEdit && !editing && data && (
          <button type="button" className="btn btn-sm" ref={editButton} onClick={() => setEditing(true)}>
            <Icon name={data.data.length ? 'edit' : 'plus'} size={15} />
            {data.data.length ? t('lines.edit') : t('lines.add')}
          </button>
        )}
      </div>
      {lines.loading ? (
        <Spinner label={t('common.loading')} />
      ) : lines.error || !data ? (
        <div className="card-body form-error" role="alert">
          {isApiError(lines.error) ? lines.error.message : t('errors.unexpected')}
        </div>
      ) : editing ? (
        <LinesEditor
          deal={deal}
          body={data}
          currency={currency}
          onCancel={() => setEditing(false)}
          onSaved={(saved) => {
            lines.mutate(() => saved);
            setEditing(false);
            onSaved();
          }}
          onStale={onStale}
        />
      ) : data.data.length === 0 ? (
        <p className="card-body muted" style={{ margin: 0 }}>
          {t('lines.none')}
        </p>
      ) : (
        <LinesTable body={data} />
      )}
    </section>
  );
}

function LinesTable({ body }: { body: DealLinesBody }) {
  const { t } = useTranslation();
  const cur = body.totals.currency;
  return (
    <>
      <div className="lines-scroll">
        <table className="grid lines-table">
          <caption className="sr-only">{t('lines.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('lines.product')}</th>
              <th scope="col" className="num">
                {t('lines.price')}
              </th>
              <th scope="col" className="num">
                {t('lines.quantity')}
              </th>
              <th scope="col" className="num hide-sm">
                {t('lines.discount')}
              </th>
              <th scope="col" className="num hide-sm">
                {t('lines.tax')}
              </th>
              <th scope="col" className="num">
                {t('lines.total')}
              </th>
            </tr>
          </thead>
          <tbody>
            {body.data.map((l) => (
              <tr key={l.id} data-testid="deal-line">
                <td className="line-name" title={l.name}>
                  {l.product_id ? <Link to={`/products/${l.product_id}`}>{l.name}</Link> : l.name}
                </td>
                <td className="num">{formatMoney(l.price, l.currency)}</td>
                <td className="num">
                  {formatNumber(l.quantity)} {l.unit ?? ''}
                </td>
                <td className="num hide-sm">{percentText(l.discount_percent)}</td>
                <td className="num hide-sm">{percentText(l.tax_percent)}</td>
                <td className="num" data-testid="line-total">
                  {formatMoney(l.total, l.currency)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <dl className="lines-totals">
        <dt>{t('lines.subtotal')}</dt>
        <dd>{formatMoney(body.totals.amount, cur)}</dd>
        <dt>{t('lines.taxTotal')}</dt>
        <dd>{formatMoney(body.totals.tax_amount, cur)}</dd>
        <dt className="strong">{t('lines.grandTotal')}</dt>
        <dd className="strong" data-testid="lines-total">
          {formatMoney(body.totals.total, cur)}
        </dd>
      </dl>
    </>
  );
}

type EditorProps = {
  deal: RecordBody;
  body: DealLinesBody;
  currency: string | null;
  onCancel: () => void;
  onSaved: (saved: DealLinesBody) => void;
  onStale: () => void;
};

function LinesEditor({ deal, body, currency, onCancel, onSaved, onStale }: EditorProps) {
  const { t } = useTranslation();
  const id = useId();
  const products = useProducts(true);
  const priceLists = usePriceLists();
  // null until the user picks: then the list the lines came from, or the first usable one.
  const [listId, setListId] = useState<string | null>(() => body.data.find((l) => l.price_list_id)?.price_list_id ?? null);
  // Active lists in the deal's currency, and the one the lines came from even if since retired.
  const usable = (priceLists.data ?? []).filter((l) => l.id === listId || (l.active !== false && (!currency || l.currency === currency)));
  const effectiveListId = listId ?? usable[0]?.id ?? '';
  const list: PriceList | undefined = usable.find((l) => l.id === effectiveListId);
  const prices = usePriceListPrices(effectiveListId || null);
  const priceOf = useMemo(() => {
    const m = new Map<string, PriceRow>();
    for (const p of prices.data?.data ?? []) if (p.product_id && p.price !== null) m.set(p.product_id, p);
    return m;
  }, [prices.data]);
  const lineCurrency = currency ?? list?.currency ?? null;

  // A deal without lines opens the editor on one empty line, ready for a product.
  const [drafts, setDrafts] = useState<Draft[]>(() => (body.data.length ? body.data.map(toDraft) : [emptyDraft()]));
  const [focusKey, setFocusKey] = useState<string | null>(() => drafts[0]?.key ?? null);
  // Once the amount follows the lines the server keeps it so; the Details card can turn that off.
  const amountFollows = deal.amount_from_lines === true;
  const [setAmount, setSetAmount] = useState<boolean>(amountFollows || !deal.amount);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  const update = (key: string, patch: Partial<Draft>) => {
    setDrafts((ds) => ds.map((d) => (d.key === key ? { ...d, ...patch } : d)));
    // An edited field's old message no longer describes it.
    const i = drafts.findIndex((d) => d.key === key);
    const fields = Object.keys(patch).flatMap((f) => (f === 'price' || f === 'product_id' ? [f, 'currency', 'price_list_id', 'name'] : [f]));
    const stale = fields.map((f) => `lines[${i}].${f}`);
    if (stale.some((k) => k in errors)) setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !stale.includes(k))));
  };

  const pickProduct = (d: Draft, productId: string) => {
    const product = products.data?.find((p) => p.id === productId);
    const listed = priceOf.get(productId);
    update(d.key, {
      product_id: productId,
      name: product?.name ?? (productId ? d.name : ''),
      unit: product?.unit ?? '',
      price: listed?.price ?? (productId ? '' : d.price),
      list_price: listed?.price ?? null,
      price_list_id: listed ? effectiveListId : null,
      follows_list: Boolean(productId),
    });
  };

  // When the list's prices arrive (first load or another list chosen), lines that follow the
  // list take its price; a product missing from the list keeps its price and loses the link.
  const loadedList = prices.data?.price_list.id ?? null;
  useEffect(() => {
    if (!loadedList || loadedList !== effectiveListId) return;
    setDrafts((ds) =>
      ds.map((d) => {
        if (!d.follows_list || !d.product_id) return d;
        const listed = priceOf.get(d.product_id);
        return listed ? { ...d, price: listed.price ?? '', list_price: listed.price, price_list_id: loadedList } : { ...d, list_price: null, price_list_id: null };
      }),
    );
  }, [loadedList, effectiveListId, priceOf]);

  const removeLine = (key: string) => {
    setDrafts((ds) => ds.filter((x) => x.key !== key));
    // Messages are keyed by line number, which removal shifts.
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith('lines['))));
  };

  const addLine = () => {
    const d = emptyDraft();
    setDrafts((ds) => [...ds, d]);
    setFocusKey(d.key);
  };

  const previews = drafts.map((d) =>
    lineCurrency ? previewLine({ price: d.price, quantity: d.quantity, discount_percent: d.discount_percent, tax_percent: d.tax_percent }, lineCurrency) : null,
  );
  const previewTotal = lineCurrency && previews.every(Boolean) ? sumAmounts(previews.map((p) => p?.total), lineCurrency) : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // Text that is not a number at all is caught here; ranges and places are the server's to judge.
    const local: FieldErrors = {};
    drafts.forEach((d, i) => {
      if (!d.product_id && !d.name.trim()) local[`lines[${i}].name`] = t('lines.errors.productOrName');
      if (normalizeDecimal(d.price) === null) local[`lines[${i}].price`] = t('lines.errors.number');
      if (normalizeDecimal(d.quantity) === null) local[`lines[${i}].quantity`] = t('lines.errors.number');
      if (d.discount_percent.trim() && normalizeDecimal(d.discount_percent) === null) local[`lines[${i}].discount_percent`] = t('lines.errors.number');
      if (d.tax_percent.trim() && normalizeDecimal(d.tax_percent) === null) local[`lines[${i}].tax_percent`] = t('lines.errors.number');
    });
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const payload = drafts.map((d) => {
        const line: Record<string, unknown> = {
          product_id: d.product_id || null,
          name: d.name.trim() || null,
          price: normalizeDecimal(d.price),
          price_list_id: d.price_list_id,
          // The API takes quantities and percentages as JSON numbers with up to 3 / 2 decimals.
          quantity: Number(normalizeDecimal(d.quantity)),
          discount_percent: d.discount_percent.trim() ? Number(normalizeDecimal(d.discount_percent)) : 0,
          tax_percent: d.tax_percent.trim() ? Number(normalizeDecimal(d.tax_percent)) : 0,
        };
        if (d.unit) line.unit = d.unit;
        if (!currency && lineCurrency) line.currency = lineCurrency;
        if (d.id) line.id = d.id;
        return line;
      });
      const res = await request<DealLinesBody>('PUT', `/deals/${deal.id}/lines`, {
        body: { lines: payload, set_amount: setAmount },
        ifMatch: deal.version,
      });
      invalidate(`history:deals/${deal.id}`);
      invalidate('list:deals');
      invalidate('board:');
      onSaved(res.data);
    } catch (err) {
      if (isApiError(err) && err.status === 412) {
        setErrors({ _: t('records.staleWrite') });
        onStale();
      } else if (isApiError(err)) {
        setErrors(Object.keys(err.fieldErrors).length ? err.fieldErrors : { _: err.message });
      } else {
        setErrors({ _: t('errors.unexpected') });
      }
    } finally {
      setBusy(false);
    }
  };

  const productOptions = (products.data ?? []) as Product[];
  const inList = productOptions.filter((p) => priceOf.has(p.id));
  const notInList = productOptions.filter((p) => !priceOf.has(p.id));
  const otherErrors = Object.entries(errors).filter(([k]) => k === '_' || k === 'lines' || !/^lines\[\d+\]/.test(k));

  return (
    <form
      className="card-body stack"
      onSubmit={submit}
      noValidate
      aria-busy={busy || undefined}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !busy) {
          e.stopPropagation();
          onCancel();
        }
      }}
    >
      {otherErrors.length > 0 && (
        <div className="form-error" role="alert">
          {otherErrors.map(([, v]) => v).join('; ')}
        </div>
      )}
      <div className="row wrap" style={{ alignItems: 'flex-end' }}>
        <div className="field" style={{ flex: '1 1 220px' }}>
          <label htmlFor={`${id}-list`}>{t('lines.priceList')}</label>
          <select id={`${id}-list`} className="select" value={effectiveListId} onChange={(e) => setListId(e.target.value)}>
            <option value="">{t('lines.noPriceList')}</option>
            {usable.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name} · {l.currency}
              </option>
            ))}
          </select>
        </div>
        {amountFollows ? (
          <span className="muted" style={{ minHeight: 36, flex: '1 1 220px', display: 'flex', alignItems: 'center' }}>
            {t('lines.amountFollows')}
          </span>
        ) : (
          <label className="row" style={{ minHeight: 36, flex: '1 1 220px' }}>
            <input type="checkbox" className="checkbox" checked={setAmount} onChange={(e) => setSetAmount(e.target.checked)} />
            {t('lines.setAmount')}
          </label>
        )}
      </div>
      {products.data && products.data.length === 0 && (
        <p className="muted" style={{ margin: 0 }}>
          {t('lines.noCatalogue')} <Link to="/settings/products">{t('lines.openCatalogue')}</Link>
        </p>
      )}
      <ol className="line-drafts">
        {drafts.map((d, i) => {
          const err = (f: string) => errors[`lines[${i}].${f}`];
          const fid = (f: string) => `${id}-${d.key}-${f}`;
          const described = (f: string) => (err(f) ? `${fid(f)}-e` : undefined);
          const preview = previews[i];
          const overridden = d.list_price !== null && normalizeDecimal(d.price) !== normalizeDecimal(d.list_price);
          return (
            <li key={d.key} className="line-draft" data-testid="line-draft" aria-label={t('lines.lineN', { n: i + 1 })}>
              <div className="field line-product">
                <label htmlFor={fid('product')}>{t('lines.product')}</label>
                <select
                  id={fid('product')}
                  className="select"
                  autoFocus={d.key === focusKey}
                  value={d.product_id}
                  aria-invalid={err('product_id') ? true : undefined}
                  aria-describedby={described('product_id')}
                  onChange={(e) => pickProduct(d, e.target.value)}
                >
                  <option value="">{t('lines.customLine')}</option>
                  {d.product_id && !productOptions.some((p) => p.id === d.product_id) && <option value={d.product_id}>{d.name}</option>}
                  {inList.length > 0 && (
                    <optgroup label={t('lines.inList', { list: list?.name ?? '' })}>
                      {inList.map((p) => (
                        <option key={p.id} value={p.id}>
                          {p.name}
                          {p.sku ? ` · ${p.sku}` : ''} — {formatMoney(priceOf.get(p.id)?.price, priceOf.get(p.id)?.currency)}
                        </option>
                      ))}
                    </optgroup>
                  )}
                  {notInList.length > 0 && (
                    <optgroup label={inList.length > 0 ? t('lines.otherProducts') : t('lines.catalogue')}>
                      {notInList.map((p) => (
                        <option key={p.id} value={p.id}>
                          {p.name}
                          {p.sku ? ` · ${p.sku}` : ''}
                        </option>
                      ))}
                    </optgroup>
                  )}
                </select>
                <FieldError id={`${fid('product_id')}-e`} message={err('product_id')} />
              </div>
              {!d.product_id && (
                <div className="field line-product">
                  <label htmlFor={fid('name')}>{t('lines.name')}</label>
                  <input
                    id={fid('name')}
                    className="input"
                    value={d.name}
                    aria-invalid={err('name') ? true : undefined}
                    aria-describedby={described('name')}
                    onChange={(e) => update(d.key, { name: e.target.value })}
                  />
                  <FieldError id={`${fid('name')}-e`} message={err('name')} />
                </div>
              )}
              <div className="field line-price">
                <label htmlFor={fid('price')}>{lineCurrency ? t('lines.priceIn', { currency: lineCurrency }) : t('lines.price')}</label>
                <input
                  id={fid('price')}
                  className="input num"
                  inputMode="decimal"
                  value={d.price}
                  aria-invalid={err('price') || err('currency') ? true : undefined}
                  aria-describedby={[described('price'), overridden ? `${fid('price')}-h` : undefined].filter(Boolean).join(' ') || undefined}
                  onChange={(e) => update(d.key, { price: e.target.value, follows_list: false })}
                />
                {overridden && (
                  <span id={`${fid('price')}-h`} className="muted line-hint">
                    {t('lines.listPrice', { price: formatMoney(d.list_price, lineCurrency) })}
                  </span>
                )}
                <FieldError id={`${fid('price')}-e`} message={err('price') ?? err('currency') ?? err('price_list_id')} />
              </div>
              <div className="field line-qty">
                <label htmlFor={fid('quantity')}>{d.unit ? t('lines.quantityIn', { unit: d.unit }) : t('lines.quantity')}</label>
                <input
                  id={fid('quantity')}
                  className="input num"
                  inputMode="decimal"
                  value={d.quantity}
                  aria-invalid={err('quantity') ? true : undefined}
                  aria-describedby={described('quantity')}
                  onChange={(e) => update(d.key, { quantity: e.target.value })}
                />
                <FieldError id={`${fid('quantity')}-e`} message={err('quantity')} />
              </div>
              <div className="field line-pct">
                <label htmlFor={fid('discount')}>{t('lines.discount')}</label>
                <input
                  id={fid('discount')}
                  className="input num"
                  inputMode="decimal"
                  placeholder="0"
                  value={d.discount_percent}
                  aria-invalid={err('discount_percent') ? true : undefined}
                  aria-describedby={err('discount_percent') ? `${fid('discount')}-e` : undefined}
                  onChange={(e) => update(d.key, { discount_percent: e.target.value })}
                />
                <FieldError id={`${fid('discount')}-e`} message={err('discount_percent')} />
              </div>
              <div className="field line-pct">
                <label htmlFor={fid('tax')}>{t('lines.tax')}</label>
                <input
                  id={fid('tax')}
                  className="input num"
                  inputMode="decimal"
                  placeholder="0"
                  value={d.tax_percent}
                  aria-invalid={err('tax_percent') ? true : undefined}
                  aria-describedby={err('tax_percent') ? `${fid('tax')}-e` : undefined}
                  onChange={(e) => update(d.key, { tax_percent: e.target.value })}
                />
                <FieldError id={`${fid('tax')}-e`} message={err('tax_percent')} />
              </div>
              <div className="line-end">
                <output className="num line-preview" htmlFor={`${fid('price')} ${fid('quantity')} ${fid('discount')} ${fid('tax')}`} aria-label={t('lines.total')}>
                  {preview ? formatMoney(preview.total, lineCurrency) : '—'}
                </output>
                <button type="button" className="btn btn-ghost btn-icon btn-sm" aria-label={t('lines.remove', { n: i + 1 })} onClick={() => removeLine(d.key)}>
                  <Icon name="trash" size={15} />
                </button>
              </div>
            </li>
          );
        })}
      </ol>
      <FieldError id={`${id}-lines`} message={errors.lines} />
      <div className="row wrap">
        <button type="button" className="btn btn-sm" onClick={addLine}>
          <Icon name="plus" size={14} />
          {t('lines.addLine')}
        </button>
        <span className="grow" />
        <span className="muted">{t('lines.previewTotal')}</span>
        <strong className="num" data-testid="lines-preview-total">
          {previewTotal !== null && lineCurrency ? formatMoney(previewTotal, lineCurrency) : '—'}
        </strong>
      </div>
      <div className="row" style={{ justifyContent: 'flex-end' }}>
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : t('lines.save')}
        </button>
      </div>
    </form>
  );
}
