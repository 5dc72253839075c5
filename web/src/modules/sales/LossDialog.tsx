// Asks why a deal was lost before moving it to a lost stage; the server's loss_reason error shows here.
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import { Dialog } from '../../ui/Dialog';
import { FieldError } from '../../ui/Misc';

const REASONS = ['price', 'competitor', 'no_budget', 'no_response', 'timing', 'other'] as const;

type Props = { dealTitle: string; onCancel: () => void; onConfirm: (reason: string) => Promise<void> };

export function LossDialog({ dealTitle, onCancel, onConfirm }: Props) {
  const { t } = useTranslation();
  const id = useId();
  const [preset, setPreset] = useState<string>('');
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const reason = preset === 'other' || preset === '' ? text.trim() : [t(`loss.reasons.${preset}`), text.trim()].filter(Boolean).join(': ');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!reason) {
      setError(t('loss.required'));
      return;
    }
    setBusy(true);
    setError('');
    try {
      await onConfirm(reason);
    } catch (err) {
      setError(isApiError(err) ? err.fieldErrors.loss_reason ?? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t('loss.title')}
      onClose={onCancel}
      footer={
        <>
          <button type="button" className="btn" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button type="submit" form={id} className="btn btn-danger" disabled={busy}>
            {t('loss.confirm')}
          </button>
        </>
      }
    >
      <form id={id} onSubmit={submit} className="stack" noValidate>
        <p style={{ margin: 0 }}>{t('loss.explain', { title: dealTitle })}</p>
        <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0, gap: 6 }}>
          <legend className="field-label" style={{ marginBottom: 6 }}>
            {t('loss.reasonLabel')}
          </legend>
          {REASONS.map((r) => (
            <label key={r} className="row">
              <input type="radio" name={`${id}-preset`} value={r} checked={preset === r} onChange={() => setPreset(r)} />
              {t(`loss.reasons.${r}`)}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-text`}>{t('loss.comment')}</label>
          <textarea
            id={`${id}-text`}
            className="textarea"
            value={text}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
            onChange={(e) => setText(e.target.value)}
          />
          <FieldError id={`${id}-error`} message={error} />
        </div>
      </form>
    </Dialog>
  );
}
