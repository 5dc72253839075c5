// Inline "new deal" form at the top of a board column.
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, isApiError, type FieldErrors } from '../../api/client';
import type { Deal } from '../../api/types';
import { FieldError } from '../../ui/Misc';
import { CURRENCIES } from '../records/FieldInput';

const CURRENCY_KEY = 'voronka.currency';

export function defaultCurrency(lang: string): string {
  try {
    const saved = localStorage.getItem(CURRENCY_KEY);
    if (saved) return saved;
  } catch {
    /* fall through */
  }
  return lang === 'uk' ? 'UAH' : lang === 'en' ? 'USD' : 'RUB';
}

type Props = { pipelineId: string; stageId: string; onCreated: (deal: Deal) => void; onClose: () => void };

export function QuickAdd({ pipelineId, stageId, onCreated, onClose }: Props) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const [title, setTitle] = useState('');
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState(() => defaultCurrency(i18n.language));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const body: Record<string, unknown> = { title: title.trim(), pipeline_id: pipelineId, stage_id: stageId, currency };
      const normalized = amount.replace(/\s/g, '').replace(',', '.');
      if (normalized) body.amount = normalized;
      const deal = await api.post<Deal>('/deals', body);
      try {
        localStorage.setItem(CURRENCY_KEY, currency);
      } catch {
        /* not remembered */
      }
      onCreated(deal);
      setTitle('');
      setAmount('');
    } catch (err) {
      if (isApiError(err)) setErrors(Object.keys(err.fieldErrors).length ? err.fieldErrors : { title: err.message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="quick-add" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && onClose()} noValidate>
      <div className="field">
        <label htmlFor={`${id}-title`} className="sr-only">
          {t('board.dealTitle')}
        </label>
        <input
          id={`${id}-title`}
          className="input"
          autoFocus
          placeholder={t('board.dealTitle')}
          value={title}
          aria-invalid={errors.title ? true : undefined}
          aria-describedby={errors.title ? `${id}-title-e` : undefined}
          onChange={(e) => setTitle(e.target.value)}
        />
        <FieldError id={`${id}-title-e`} message={errors.title} />
      </div>
      <div className="row">
        <label htmlFor={`${id}-amount`} className="sr-only">
          {t('fields.amount')}
        </label>
        <input
          id={`${id}-amount`}
          className="input num"
          inputMode="decimal"
          placeholder={t('fields.amount')}
          value={amount}
          aria-invalid={errors.amount ? true : undefined}
          onChange={(e) => setAmount(e.target.value)}
        />
        <label htmlFor={`${id}-cur`} className="sr-only">
          {t('fields.currency')}
        </label>
        <select id={`${id}-cur`} className="select" style={{ width: 88 }} value={currency} onChange={(e) => setCurrency(e.target.value)}>
          {CURRENCIES.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </div>
      <FieldError id={`${id}-amount-e`} message={errors.amount ?? errors.currency ?? errors.stage_id ?? errors.pipeline_id} />
      <div className="row" style={{ justifyContent: 'flex-end' }}>
        <button type="button" className="btn btn-sm btn-ghost" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-sm btn-primary" disabled={busy || !title.trim()}>
          {t('common.add')}
        </button>
      </div>
    </form>
  );
}
