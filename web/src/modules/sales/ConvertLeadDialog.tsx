// Converts a lead into a contact, a company (when the lead names one) and, if asked, a deal
// (POST /leads/{id}/convert {deal: {pipeline_id, stage_id, title, amount, currency}}).
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, isApiError, type FieldErrors } from '../../api/client';
import { invalidate } from '../../api/store';
import type { ConvertResult } from '../../api/types';
import { navigate } from '../../router';
import { Dialog } from '../../ui/Dialog';
import { Icon } from '../../ui/Icon';
import { FieldError } from '../../ui/Misc';
import { CURRENCIES } from '../records/FieldInput';
import { usePipelines } from '../records/hooks';
import { defaultCurrency } from './QuickAdd';

export function ConvertLeadDialog({ leadId, title, dealTitle: suggested, onClose }: { leadId: string; title: string; dealTitle: string; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const pipelines = usePipelines();
  const list = pipelines.data ?? [];
  const [withDeal, setWithDeal] = useState(true);
  const [pipelineId, setPipelineId] = useState('');
  const [dealTitle, setDealTitle] = useState(suggested);
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState(() => defaultCurrency(i18n.language));
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const pipeline = list.find((p) => p.id === pipelineId) ?? list[0];

  const convert = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const body: Record<string, unknown> = {};
      if (withDeal && pipeline) {
        const stage = pipeline.stages.find((s) => s.kind === 'open') ?? pipeline.stages[0];
        const deal: Record<string, unknown> = { pipeline_id: pipeline.id, stage_id: stage?.id, title: dealTitle.trim() || undefined, currency };
        const normalized = amount.replace(/\s/g, '').replace(',', '.');
        if (normalized) deal.amount = normalized;
        body.deal = deal;
      }
      const r = await api.post<ConvertResult>(`/leads/${leadId}/convert`, body);
      for (const x of ['leads', 'contacts', 'companies', 'deals']) invalidate(`list:${x}`);
      invalidate(`record:leads/${leadId}`);
      invalidate('board:');
      onClose();
      if (r.deal_id) navigate(`/deals/${r.deal_id}`);
      else if (r.contact_id) navigate(`/contacts/${r.contact_id}`);
    } catch (err) {
      if (isApiError(err)) {
        const mapped: FieldErrors = {};
        for (const [k, v] of Object.entries(err.fieldErrors)) mapped[k.replace(/^deal\./, '')] = v;
        setErrors(Object.keys(mapped).length ? mapped : { _: err.message });
      } else {
        setErrors({ _: String(err) });
      }
      setBusy(false);
    }
  };

  const general = errors._ ?? errors.status ?? errors.pipeline_id ?? errors.stage_id ?? errors.deal;
  return (
    <Dialog
      title={t('convert.title')}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form={id} className="btn btn-primary" disabled={busy}>
            {t('convert.confirm')}
          </button>
        </>
      }
    >
      <form id={id} className="stack" onSubmit={convert} noValidate>
        <p style={{ margin: 0 }}>{t('convert.explain', { title })}</p>
        <ul className="stack" style={{ listStyle: 'none', padding: 0, margin: 0, gap: 6 }}>
          <li className="row">
            <Icon name="contact" size={16} /> {t('convert.contact')}
          </li>
          <li className="row">
            <Icon name="company" size={16} /> {t('convert.company')}
          </li>
        </ul>
        {list.length > 0 && (
          <label className="row">
            <input type="checkbox" className="checkbox" checked={withDeal} onChange={(e) => setWithDeal(e.target.checked)} />
            <Icon name="deal" size={16} /> {t('convert.deal')}
          </label>
        )}
        {withDeal && pipeline && (
          <div className="form-grid">
            <div className="field span-2">
              <label htmlFor={`${id}-title`}>{t('board.dealTitle')}</label>
              <input id={`${id}-title`} className="input" value={dealTitle} aria-invalid={errors.title ? true : undefined} onChange={(e) => setDealTitle(e.target.value)} />
              <FieldError id={`${id}-title-e`} message={errors.title} />
            </div>
            <div className="field">
              <label htmlFor={`${id}-pipeline`}>{t('board.pipeline')}</label>
              <select id={`${id}-pipeline`} className="select" value={pipeline.id} onChange={(e) => setPipelineId(e.target.value)}>
                {list.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-amount`}>{t('fields.amount')}</label>
              <div className="row">
                <input
                  id={`${id}-amount`}
                  className="input num"
                  inputMode="decimal"
                  value={amount}
                  aria-invalid={errors.amount ? true : undefined}
                  aria-describedby={errors.amount ? `${id}-amount-e` : undefined}
                  onChange={(e) => setAmount(e.target.value)}
                />
                <select className="select" style={{ width: 88 }} aria-label={t('fields.currency')} value={currency} onChange={(e) => setCurrency(e.target.value)}>
                  {CURRENCIES.map((c) => (
                    <option key={c}>{c}</option>
                  ))}
                </select>
              </div>
              <FieldError id={`${id}-amount-e`} message={errors.amount ?? errors.currency} />
            </div>
          </div>
        )}
        {general && (
          <div className="form-error" role="alert">
            {general}
          </div>
        )}
      </form>
    </Dialog>
  );
}
