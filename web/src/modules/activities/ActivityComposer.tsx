// Add a note, log a call, or plan a task/meeting from a record card.
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, isApiError, type FieldErrors } from '../../api/client';
import { invalidate } from '../../api/store';
import type { Activity, ActivityType } from '../../api/types';
import { fromLocalInput, toLocalInput } from '../../i18n/format';
import { Icon, type IconName } from '../../ui/Icon';
import { FieldError } from '../../ui/Misc';
import { useToast } from '../../ui/Toast';

export const ACTIVITY_ICONS: Record<string, IconName> = { note: 'note', call: 'phone', task: 'task', meeting: 'meeting', email: 'mail' };

const TABS: ActivityType[] = ['note', 'call', 'task', 'meeting'];

function tomorrowAt10(): string {
  const d = new Date(Date.now() + 86400000);
  const local = toLocalInput(d.toISOString());
  return `${local.slice(0, 10)}T10:00`;
}

type Props = { relatedEntity: string; relatedId: string; ownerId: string };

export function ActivityComposer({ relatedEntity, relatedId, ownerId }: Props) {
  const { t } = useTranslation();
  const toast = useToast();
  const id = useId();
  const [type, setType] = useState<ActivityType>('note');
  const [subject, setSubject] = useState('');
  const [due, setDue] = useState(tomorrowAt10);
  const [call, setCall] = useState({ direction: 'out', minutes: '', result: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const planned = type === 'task' || type === 'meeting';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const text = subject.trim();
      const firstLine = text.split('\n')[0] ?? '';
      const body: Record<string, unknown> = {
        type,
        subject: firstLine.length > 120 ? `${firstLine.slice(0, 119)}…` : firstLine,
        related_entity: relatedEntity,
        related_id: relatedId,
        owner_id: ownerId,
        done: !planned,
      };
      if (text !== firstLine) body.body = text;
      if (type === 'task') body.due_at = fromLocalInput(due);
      if (type === 'meeting') body.starts_at = fromLocalInput(due);
      if (type === 'call') {
        body.direction = call.direction;
        const minutes = call.minutes.trim().replace(',', '.');
        if (minutes) body.duration_seconds = /^\d+(\.\d+)?$/.test(minutes) ? Math.round(Number(minutes) * 60) : minutes;
        if (call.result.trim()) body.result = call.result.trim();
      }
      await api.post<Activity>('/activities', body);
      setSubject('');
      setCall({ direction: call.direction, minutes: '', result: '' });
      invalidate(`history:${relatedEntity}/${relatedId}`);
      invalidate('list:activities');
      invalidate('myday');
      toast.show(t(`composer.saved.${type}`));
    } catch (err) {
      if (isApiError(err)) setErrors(Object.keys(err.fieldErrors).length ? err.fieldErrors : { subject: err.message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-label={t('composer.title')}>
      <div className="tabs" role="tablist" aria-label={t('composer.title')}>
        {TABS.map((x) => (
          <button key={x} type="button" role="tab" className="tab" aria-selected={type === x} onClick={() => setType(x)}>
            <Icon name={ACTIVITY_ICONS[x] ?? 'note'} size={16} />
            {t(`composer.tabs.${x}`)}
          </button>
        ))}
      </div>
      <form className="card-body stack" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-s`} className="sr-only">
            {t(`composer.placeholder.${type}`)}
          </label>
          <textarea
            id={`${id}-s`}
            className="textarea"
            rows={type === 'note' ? 3 : 2}
            placeholder={t(`composer.placeholder.${type}`)}
            value={subject}
            aria-invalid={errors.subject ? true : undefined}
            aria-describedby={errors.subject ? `${id}-se` : undefined}
            onChange={(e) => setSubject(e.target.value)}
          />
          <FieldError id={`${id}-se`} message={errors.subject ?? errors.type ?? errors.related_id} />
        </div>
        {type === 'call' && (
          <div className="row wrap" style={{ alignItems: 'flex-start' }}>
            <div className="field" style={{ flex: '0 1 150px' }}>
              <label htmlFor={`${id}-dir`}>{t('fields.direction')}</label>
              <select id={`${id}-dir`} className="select" value={call.direction} onChange={(e) => setCall({ ...call, direction: e.target.value })}>
                {(['out', 'in'] as const).map((d) => (
                  <option key={d} value={d}>
                    {t(`options.direction.${d}`)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field" style={{ flex: '0 1 120px' }}>
              <label htmlFor={`${id}-min`}>{t('composer.minutes')}</label>
              <input
                id={`${id}-min`}
                className="input num"
                inputMode="decimal"
                value={call.minutes}
                aria-invalid={errors.duration_seconds ? true : undefined}
                aria-describedby={errors.duration_seconds ? `${id}-mine` : undefined}
                onChange={(e) => setCall({ ...call, minutes: e.target.value })}
              />
              <FieldError id={`${id}-mine`} message={errors.duration_seconds} />
            </div>
            <div className="field" style={{ flex: '1 1 180px' }}>
              <label htmlFor={`${id}-res`}>{t('fields.result')}</label>
              <input
                id={`${id}-res`}
                className="input"
                value={call.result}
                aria-invalid={errors.result ? true : undefined}
                aria-describedby={errors.result ? `${id}-rese` : undefined}
                onChange={(e) => setCall({ ...call, result: e.target.value })}
              />
              <FieldError id={`${id}-rese`} message={errors.result} />
            </div>
          </div>
        )}
        <div className="row wrap">
          {planned && (
            <div className="field" style={{ flex: '1 1 200px' }}>
              <label htmlFor={`${id}-d`}>{type === 'meeting' ? t('fields.starts_at') : t('fields.due_at')}</label>
              <input
                id={`${id}-d`}
                className="input"
                type="datetime-local"
                value={due}
                aria-invalid={errors.due_at ? true : undefined}
                onChange={(e) => setDue(e.target.value)}
              />
              <FieldError id={`${id}-de`} message={errors.due_at ?? errors.starts_at} />
            </div>
          )}
          <span className="grow" />
          <button type="submit" className="btn btn-primary" style={{ alignSelf: 'flex-end' }} disabled={busy || !subject.trim()}>
            {t(`composer.submit.${type}`)}
          </button>
        </div>
      </form>
    </section>
  );
}
