// Small forms beside the dashboards that need typed-in figures: a sales plan for a manager or a
// team (plan vs fact), and a campaign's cost for a month (cost per lead, ROI). Both are ordinary
// records (`sales_plans`, `campaign_costs`); the server's messages appear beside the fields.
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type FieldErrors } from '../../api/client';
import { invalidate } from '../../api/store';
import { errorsOf, FormErrorBox } from '../../ui/Fields';
import { Icon } from '../../ui/Icon';
import { FieldError } from '../../ui/Misc';
import { useToast } from '../../ui/Toast';
import { CURRENCIES } from '../records/FieldInput';
import { useMeta, useTeams, useUsers } from '../records/hooks';
import { optionLabel } from '../records/labels';

function Field({ id, label, error, children }: { id: string; label: string; error?: string; children: React.ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      <FieldError id={`${id}-e`} message={error} />
    </div>
  );
}

function Disclosure({ label, children }: { label: string; children: (close: () => void) => React.ReactNode }) {
  const [open, setOpen] = useState(false);
  return open ? (
    <>{children(() => setOpen(false))}</>
  ) : (
    <button type="button" className="btn btn-sm" onClick={() => setOpen(true)}>
      <Icon name="plus" size={14} />
      {label}
    </button>
  );
}

export function PlanForm({ period }: { period: string }) {
  const { t } = useTranslation();
  const toast = useToast();
  const users = useUsers();
  const teams = useTeams();
  const id = useId();
  const [who, setWho] = useState('');
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('RUB');
  const [errors, setErrors] = useState<FieldErrors>({});
  return (
    <Disclosure label={t('analytics.addPlan')}>
      {(close) => {
        const submit = async (e: FormEvent) => {
          e.preventDefault();
          setErrors({});
          const [kind, target] = who.split(':');
          try {
            await api.post('/sales_plans', { period, [kind === 'team' ? 'team_id' : 'owner_id']: target || null, amount: amount.trim().replace(',', '.'), currency });
            invalidate('analytics:/analytics/plan-fact');
            toast.show(t('analytics.planSaved', { period }));
            setAmount('');
            close();
          } catch (err) {
            setErrors(errorsOf(err));
          }
        };
        return (
          <form className="stack" onSubmit={submit} noValidate aria-label={t('analytics.addPlan')}>
            <FormErrorBox errors={errors} />
            <div className="form-grid">
              <Field id={`${id}-who`} label={t('analytics.planFor')} error={errors.owner_id ?? errors.team_id}>
                <select id={`${id}-who`} className="select" value={who} onChange={(e) => setWho(e.target.value)}>
                  <option value="">—</option>
                  {(users.data ?? []).map((u) => (
                    <option key={u.id} value={`owner:${u.id}`}>
                      {u.name || u.email}
                    </option>
                  ))}
                  {(teams.data ?? []).map((tm) => (
                    <option key={tm.id} value={`team:${tm.id}`}>
                      {t('analytics.teamOption', { name: tm.name })}
                    </option>
                  ))}
                </select>
              </Field>
              <Field id={`${id}-amount`} label={t('analytics.planAmount', { period })} error={errors.amount ?? errors.period}>
                <input id={`${id}-amount`} className="input num" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
              </Field>
              <Field id={`${id}-cur`} label={t('analytics.currency')} error={errors.currency}>
                <select id={`${id}-cur`} className="select" value={currency} onChange={(e) => setCurrency(e.target.value)}>
                  {CURRENCIES.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </Field>
            </div>
            <div className="row">
              <button type="submit" className="btn btn-primary btn-sm">
                {t('common.save')}
              </button>
              <button type="button" className="btn btn-sm" onClick={close}>
                {t('common.cancel')}
              </button>
            </div>
          </form>
        );
      }}
    </Disclosure>
  );
}

export function CostForm() {
  const { t } = useTranslation();
  const toast = useToast();
  const meta = useMeta('campaign_costs');
  const id = useId();
  const sourceField = meta.data?.fields.find((f) => f.name === 'source');
  const [v, setV] = useState({ source: '', campaign: '', period: new Date().toISOString().slice(0, 7), amount: '', currency: 'RUB' });
  const [errors, setErrors] = useState<FieldErrors>({});
  return (
    <Disclosure label={t('analytics.addCost')}>
      {(close) => {
        const submit = async (e: FormEvent) => {
          e.preventDefault();
          setErrors({});
          try {
            const body: Record<string, string> = { source: v.source, period: v.period, amount: v.amount.trim().replace(',', '.'), currency: v.currency };
            if (v.campaign.trim()) body.campaign = v.campaign.trim();
            await api.post('/campaign_costs', body);
            invalidate('analytics:/analytics/sources');
            toast.show(t('analytics.costSaved'));
            setV({ ...v, amount: '', campaign: '' });
            close();
          } catch (err) {
            setErrors(errorsOf(err));
          }
        };
        return (
          <form className="stack" onSubmit={submit} noValidate aria-label={t('analytics.addCost')}>
            <FormErrorBox errors={errors} />
            <div className="form-grid">
              <Field id={`${id}-src`} label={t('analytics.source')} error={errors.source}>
                <select id={`${id}-src`} className="select" value={v.source} onChange={(e) => setV({ ...v, source: e.target.value })}>
                  <option value="">—</option>
                  {(sourceField?.options ?? []).map((o) => (
                    <option key={o} value={o}>
                      {optionLabel(t, 'source', o)}
                    </option>
                  ))}
                </select>
              </Field>
              <Field id={`${id}-camp`} label={t('analytics.by.campaign')} error={errors.campaign}>
                <input id={`${id}-camp`} className="input" value={v.campaign} onChange={(e) => setV({ ...v, campaign: e.target.value })} />
              </Field>
              <Field id={`${id}-period`} label={t('analytics.costMonth')} error={errors.period}>
                <input id={`${id}-period`} className="input" type="month" value={v.period} onChange={(e) => setV({ ...v, period: e.target.value })} />
              </Field>
              <Field id={`${id}-amount`} label={t('analytics.cost')} error={errors.amount}>
                <input id={`${id}-amount`} className="input num" inputMode="decimal" value={v.amount} onChange={(e) => setV({ ...v, amount: e.target.value })} />
              </Field>
              <Field id={`${id}-cur`} label={t('analytics.currency')} error={errors.currency}>
                <select id={`${id}-cur`} className="select" value={v.currency} onChange={(e) => setV({ ...v, currency: e.target.value })}>
                  {CURRENCIES.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </Field>
            </div>
            <div className="row">
              <button type="submit" className="btn btn-primary btn-sm">
                {t('common.save')}
              </button>
              <button type="button" className="btn btn-sm" onClick={close}>
                {t('common.cancel')}
              </button>
            </div>
          </form>
        );
      }}
    </Disclosure>
  );
}
