// Settings → Products and Price lists: the catalogue (name, SKU, unit, category) and price lists
// (name, currency) with a price per product. Writes go through the record engine's routes with
// If-Match; validation messages appear beside their fields.
import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, isApiError, type FieldErrors } from '../../api/client';
import { errorText } from '../../api/errors';
import { invalidate } from '../../api/store';
import type { PriceList, PriceRow, Product } from '../../api/types';
import { formatMoney } from '../../i18n/format';
import { Dialog } from '../../ui/Dialog';
import { errorsOf, FormErrorBox, SelectField, TextField } from '../../ui/Fields';
import { Icon } from '../../ui/Icon';
import { Empty, FieldError, Spinner } from '../../ui/Misc';
import { useToast } from '../../ui/Toast';
import { useMe } from '../auth/AuthContext';
import { CURRENCIES } from '../records/FieldInput';
import { CATALOGUE_LIMIT, usePriceListPrices, usePriceLists, useProducts } from './catalogue';
import { normalizeDecimal } from './lineMath';

function staleOr(t: (k: string) => string, e: unknown): FieldErrors {
  return isApiError(e) && e.status === 412 ? { _: t('records.staleWrite') } : errorsOf(e);
}

export function ProductsSettings() {
  const { t } = useTranslation();
  const me = useMe();
  const products = useProducts(false);
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<Product | 'new' | null>(null);
  const canEdit = !me.permissions.read_only;
  const q = query.trim().toLocaleLowerCase();
  const shown = (products.data ?? []).filter(
    (p) => !q || [p.name, p.sku, p.category].some((v) => typeof v === 'string' && v.toLocaleLowerCase().includes(q)),
  );
  return (
    <section className="card" aria-labelledby="products-h">
      <div className="card-head wrap">
        <h2 className="grow" id="products-h">
          {t('settings.tabs.products')}
        </h2>
        <label className="sr-only" htmlFor="products-q">
          {t('catalogue.search')}
        </label>
        <input id="products-q" className="input catalogue-search" type="search" placeholder={t('catalogue.search')} value={query} onChange={(e) => setQuery(e.target.value)} />
        {canEdit && (
          <button type="button" className="btn btn-primary btn-sm" onClick={() => setEditing('new')}>
            <Icon name="plus" size={15} />
            {t('catalogue.newProduct')}
          </button>
        )}
      </div>
      {products.loading ? (
        <Spinner label={t('common.loading')} />
      ) : shown.length === 0 ? (
        <Empty icon="product" title={q ? t('catalogue.nothingFound') : t('catalogue.noProducts')} />
      ) : (
        <div className="lines-scroll">
          <table className="grid" aria-labelledby="products-h">
            <thead>
              <tr>
                <th scope="col">{t('fields.name')}</th>
                <th scope="col">{t('fields.sku')}</th>
                <th scope="col">{t('fields.unit')}</th>
                <th scope="col" className="hide-sm">
                  {t('fields.category')}
                </th>
                <th scope="col">{t('users.status')}</th>
                {canEdit && (
                  <th scope="col">
                    <span className="sr-only">{t('trash.actions')}</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {shown.map((p) => (
                <tr key={p.id} data-sku={p.sku ?? ''}>
                  <td className="wrap-cell" style={{ fontWeight: 600 }}>
                    {p.name}
                  </td>
                  <td>
                    <code>{p.sku}</code>
                  </td>
                  <td>{p.unit}</td>
                  <td className="hide-sm">{p.category}</td>
                  <td>{p.active === false ? <span className="badge">{t('catalogue.inactive')}</span> : <span className="badge badge-success">{t('catalogue.active')}</span>}</td>
                  {canEdit && (
                    <td>
                      <button type="button" className="btn btn-ghost btn-sm" onClick={() => setEditing(p)} aria-label={t('catalogue.editNamed', { name: p.name })}>
                        <Icon name="edit" size={15} />
                        <span className="hide-sm">{t('pipelines.edit')}</span>
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(products.data?.length ?? 0) >= CATALOGUE_LIMIT && <div className="list-foot">{t('catalogue.firstN', { limit: CATALOGUE_LIMIT })}</div>}
      {editing && <ProductDialog product={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
    </section>
  );
}

function ProductDialog({ product, onClose }: { product?: Product; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const id = useId();
  const [v, setV] = useState({
    name: product?.name ?? '',
    sku: product?.sku ?? '',
    unit: product?.unit ?? '',
    category: product?.category ?? '',
    description: typeof product?.description === 'string' ? product.description : '',
    active: product?.active !== false,
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setBusy(true);
    const body = {
      name: v.name.trim() || null,
      sku: v.sku.trim() || null,
      unit: v.unit.trim() || null,
      category: v.category.trim() || null,
      description: v.description.trim() || null,
      active: v.active,
    };
    try {
      if (product) await api.patch(`/products/${product.id}`, body, { ifMatch: product.version });
      else await api.post('/products', body);
      invalidate('catalogue:');
      invalidate('list:products');
      toast.show(t(product ? 'catalogue.productSaved' : 'catalogue.productCreated', { name: body.name ?? '' }));
      onClose();
    } catch (err) {
      setErrors(staleOr(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={product ? t('catalogue.editNamed', { name: product.name }) : t('catalogue.newProduct')}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form={id} className="btn btn-primary" disabled={busy}>
            {product ? t('common.save') : t('common.create')}
          </button>
        </>
      }
    >
      <form id={id} className="stack" onSubmit={submit} noValidate>
        <FormErrorBox errors={errors} />
        <TextField label={t('fields.name')} value={v.name} autoFocus onChange={(name) => setV({ ...v, name })} error={errors.name} />
        <div className="form-grid">
          <TextField label={t('fields.sku')} value={v.sku} onChange={(sku) => setV({ ...v, sku })} error={errors.sku} />
          <TextField label={t('fields.unit')} value={v.unit} onChange={(unit) => setV({ ...v, unit })} error={errors.unit} hint={t('catalogue.unitHint')} />
        </div>
        <TextField label={t('fields.category')} value={v.category} onChange={(category) => setV({ ...v, category })} error={errors.category} />
        <TextField label={t('fields.description')} value={v.description} multiline onChange={(description) => setV({ ...v, description })} error={errors.description} />
        <label className="row">
          <input type="checkbox" className="checkbox" checked={v.active} onChange={(e) => setV({ ...v, active: e.target.checked })} />
          {t('catalogue.activeHint')}
        </label>
      </form>
    </Dialog>
  );
}

export function PriceListsSettings() {
  const { t } = useTranslation();
  const me = useMe();
  const lists = usePriceLists();
  const [selected, setSelected] = useState<string | null>(null);
  const [editing, setEditing] = useState<PriceList | 'new' | null>(null);
  const canEdit = !me.permissions.read_only;
  const current = (lists.data ?? []).find((l) => l.id === selected) ?? lists.data?.[0];
  return (
    <>
      <section className="card" aria-labelledby="pricelists-h">
        <div className="card-head">
          <h2 className="grow" id="pricelists-h">
            {t('settings.tabs.prices')}
          </h2>
          {canEdit && (
            <button type="button" className="btn btn-primary btn-sm" onClick={() => setEditing('new')}>
              <Icon name="plus" size={15} />
              {t('catalogue.newPriceList')}
            </button>
          )}
        </div>
        {lists.loading ? (
          <Spinner label={t('common.loading')} />
        ) : (lists.data ?? []).length === 0 ? (
          <Empty icon="product" title={t('catalogue.noPriceLists')} />
        ) : (
          <ul className="related-list" aria-label={t('settings.tabs.prices')}>
            {(lists.data ?? []).map((l) => (
              <li key={l.id} className="task-row">
                <button type="button" className="btn btn-ghost grow list-pick" aria-pressed={current?.id === l.id} onClick={() => setSelected(l.id)}>
                  <Icon name="product" size={16} />
                  <strong>{l.name}</strong>
                  <span className="badge">{l.currency}</span>
                  {l.kind && <span className="muted hide-sm">{t(`catalogue.kinds.${l.kind}`)}</span>}
                  {l.active === false && <span className="badge">{t('catalogue.inactive')}</span>}
                </button>
                {canEdit && (
                  <button type="button" className="btn btn-ghost btn-sm" onClick={() => setEditing(l)} aria-label={t('catalogue.editNamed', { name: l.name })}>
                    <Icon name="edit" size={15} />
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
        {editing && <PriceListDialog list={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} onCreated={setSelected} />}
      </section>
      {current && <Prices key={current.id} list={current} canEdit={canEdit} />}
    </>
  );
}

function PriceListDialog({ list, onClose, onCreated }: { list?: PriceList; onClose: () => void; onCreated: (id: string) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [v, setV] = useState({ name: list?.name ?? '', currency: list?.currency ?? 'RUB', kind: list?.kind ?? 'retail', active: list?.active !== false });
  const [errors, setErrors] = useState<FieldErrors>({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    const body = { name: v.name.trim() || null, currency: v.currency, kind: v.kind, active: v.active };
    try {
      if (list) await api.patch(`/price_lists/${list.id}`, body, { ifMatch: list.version });
      else onCreated((await api.post<PriceList>('/price_lists', body)).id);
      invalidate('catalogue:');
      onClose();
    } catch (err) {
      setErrors(staleOr(t, err));
    }
  };
  const currencies = CURRENCIES.includes(v.currency) ? CURRENCIES : [v.currency, ...CURRENCIES];
  return (
    <Dialog
      title={list ? t('catalogue.editNamed', { name: list.name }) : t('catalogue.newPriceList')}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form={id} className="btn btn-primary">
            {list ? t('common.save') : t('common.create')}
          </button>
        </>
      }
    >
      <form id={id} className="stack" onSubmit={submit} noValidate>
        <FormErrorBox errors={errors} />
        <TextField label={t('catalogue.priceListName')} value={v.name} autoFocus onChange={(name) => setV({ ...v, name })} error={errors.name} />
        <div className="form-grid">
          <SelectField label={t('fields.currency')} value={v.currency} onChange={(currency) => setV({ ...v, currency })} error={errors.currency}>
            {currencies.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </SelectField>
          <SelectField label={t('catalogue.kind')} value={v.kind} onChange={(kind) => setV({ ...v, kind: kind as typeof v.kind })} error={errors.kind}>
            {(['retail', 'wholesale', 'other'] as const).map((k) => (
              <option key={k} value={k}>
                {t(`catalogue.kinds.${k}`)}
              </option>
            ))}
          </SelectField>
        </div>
        <label className="row">
          <input type="checkbox" className="checkbox" checked={v.active} onChange={(e) => setV({ ...v, active: e.target.checked })} />
          {t('catalogue.activeListHint')}
        </label>
      </form>
    </Dialog>
  );
}

function Prices({ list, canEdit }: { list: PriceList; canEdit: boolean }) {
  const { t } = useTranslation();
  const toast = useToast();
  const id = useId();
  const prices = usePriceListPrices(list.id);
  const products = useProducts(true);
  const [productId, setProductId] = useState('');
  const [price, setPrice] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const listed = new Set((prices.data?.data ?? []).map((p) => p.product_id));
  const addable = (products.data ?? []).filter((p) => !listed.has(p.id));

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const local: FieldErrors = {};
    if (!productId) local.product_id = t('catalogue.chooseProduct');
    if (normalizeDecimal(price) === null) local.price = t('lines.errors.number');
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      await api.post('/prices', { price_list_id: list.id, product_id: productId, price: normalizeDecimal(price) });
      setProductId('');
      setPrice('');
      invalidate(`catalogue:prices:${list.id}`);
    } catch (err) {
      setErrors(errorsOf(err));
    }
  };

  const remove = async (row: PriceRow) => {
    try {
      await api.del(`/prices/${row.id}`, { ifMatch: row.version });
      invalidate(`catalogue:prices:${list.id}`);
      toast.show(t('catalogue.priceRemoved', { name: row.product_name ?? '' }));
    } catch (err) {
      toast.show(errorText(t, err), { kind: 'error' });
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-h`} data-testid="prices">
      <div className="card-head">
        <h2 className="grow" id={`${id}-h`}>
          {t('catalogue.pricesIn', { name: list.name, currency: list.currency })}
        </h2>
      </div>
      {prices.loading ? (
        <Spinner label={t('common.loading')} />
      ) : (
        <div className="lines-scroll">
          <table className="grid" aria-labelledby={`${id}-h`}>
            <thead>
              <tr>
                <th scope="col">{t('lines.product')}</th>
                <th scope="col" className="hide-sm">
                  {t('fields.sku')}
                </th>
                <th scope="col" className="num">
                  {t('lines.price')}
                </th>
                {canEdit && (
                  <th scope="col">
                    <span className="sr-only">{t('trash.actions')}</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {(prices.data?.data ?? []).map((row) => (
                <PriceRowView key={row.id} row={row} listId={list.id} canEdit={canEdit} onRemove={() => void remove(row)} />
              ))}
              {prices.data?.data.length === 0 && (
                <tr>
                  <td colSpan={4} className="muted">
                    {t('catalogue.noPrices')}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      {canEdit && (
        <form className="card-body row wrap price-add" onSubmit={add} noValidate style={{ alignItems: 'flex-start', borderTop: '1px solid var(--border)' }}>
          <SelectField className="grow" label={t('catalogue.addProduct')} value={productId} onChange={setProductId} error={errors.product_id}>
            <option value="">{t('catalogue.chooseProduct')}</option>
            {addable.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
                {p.sku ? ` · ${p.sku}` : ''}
              </option>
            ))}
          </SelectField>
          <TextField label={t('lines.priceIn', { currency: list.currency })} value={price} inputMode="decimal" onChange={setPrice} error={errors.price ?? errors.price_list_id ?? errors._} className="price-input" />
          <button type="submit" className="btn btn-primary" style={{ marginTop: 22 }}>
            {t('catalogue.addPrice')}
          </button>
        </form>
      )}
    </section>
  );
}

function PriceRowView({ row, listId, canEdit, onRemove }: { row: PriceRow; listId: string; canEdit: boolean; onRemove: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(row.price ?? '');
  const [error, setError] = useState<string>();
  const save = async () => {
    const v = normalizeDecimal(value);
    if (v === null) {
      setError(t('lines.errors.number'));
      return;
    }
    if (v === row.price) {
      setEditing(false);
      return;
    }
    try {
      await api.patch(`/prices/${row.id}`, { price: v }, { ifMatch: row.version });
      invalidate(`catalogue:prices:${listId}`);
      setEditing(false);
      setError(undefined);
    } catch (err) {
      const e = staleOr(t, err);
      setError(e.price ?? e._ ?? Object.values(e).join('; '));
    }
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void save();
    }
    if (e.key === 'Escape') {
      setEditing(false);
      setValue(row.price ?? '');
      setError(undefined);
    }
  };
  const name = row.product_name ?? '—';
  return (
    <tr data-product={row.product_id ?? ''}>
      <td className="wrap-cell" style={{ fontWeight: 600 }}>
        {name}
        {row.unit ? <span className="muted"> · {row.unit}</span> : null}
      </td>
      <td className="hide-sm">
        <code>{row.sku}</code>
      </td>
      <td className={editing ? 'num editing' : 'num'}>
        {editing ? (
          <>
            <label htmlFor={id} className="sr-only">
              {t('catalogue.priceOf', { name })}
            </label>
            <input
              id={id}
              className="input num"
              inputMode="decimal"
              autoFocus
              value={value}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-e` : undefined}
              onChange={(e) => setValue(e.target.value)}
              onKeyDown={onKey}
              onBlur={() => void save()}
            />
            <FieldError id={`${id}-e`} message={error} />
          </>
        ) : canEdit ? (
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setEditing(true)} aria-label={t('catalogue.editPriceOf', { name, price: formatMoney(row.price, row.currency) })}>
            {formatMoney(row.price, row.currency)}
          </button>
        ) : (
          formatMoney(row.price, row.currency)
        )}
      </td>
      {canEdit && (
        <td>
          <button type="button" className="btn btn-ghost btn-icon btn-sm" aria-label={t('catalogue.removePrice', { name })} onClick={onRemove}>
            <Icon name="trash" size={15} />
          </button>
        </td>
      )}
    </tr>
  );
}
