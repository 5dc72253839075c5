// "New record" dialog built from the entity's metadata; server errors appear beside their fields.
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, isApiError, type FieldErrors } from '../../api/client';
import { invalidate } from '../../api/store';
import type { EntityMeta, RecordBody } from '../../api/types';
import { Dialog } from '../../ui/Dialog';
import { FieldError, Spinner } from '../../ui/Misc';
import { DuplicateWarning, useDraftDuplicates } from '../quality/DuplicateWarning';
import { FieldInput } from './FieldInput';
import { recordTitle, writableFields } from './entities';
import { useMeta } from './hooks';
import { fieldLabel } from './labels';
import { rememberTitle } from './refs';

type Props = {
  entity: string;
  initial?: Record<string, unknown>;
  onClose: () => void;
  onCreated?: (record: RecordBody) => void;
};

function isWide(name: string, type: string): boolean {
  return name === 'notes' || name === 'description' || name === 'address' || type === 'json' || type === 'multi_enum';
}

export function NewRecordDialog({ entity, initial = {}, onClose, onCreated }: Props) {
  const { t } = useTranslation();
  const meta = useMeta(entity);
  const [values, setValues] = useState<Record<string, unknown>>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  const formId = useId();
  const duplicates = useDraftDuplicates(entity, values);
  // Saving a likely duplicate takes a second, deliberate click.
  const [confirming, setConfirming] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (duplicates.length > 0 && !confirming) {
      setConfirming(true);
      return;
    }
    setBusy(true);
    setErrors({});
    setFormError('');
    try {
      const body: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(values)) if (v !== null && v !== '' && v !== undefined) body[k] = v;
      const created = await api.post<RecordBody>(`/${entity}`, body);
      rememberTitle(entity, created.id, recordTitle(created, meta.data));
      invalidate(`list:${entity}`);
      invalidate('board:');
      onCreated?.(created);
      onClose();
    } catch (err) {
      if (isApiError(err)) {
        setErrors(err.fieldErrors);
        setFormError(Object.keys(err.fieldErrors).length ? '' : err.message);
      } else {
        setFormError(String(err));
      }
    } finally {
      setBusy(false);
    }
  };

  const fields: EntityMeta['fields'] = meta.data ? writableFields(meta.data) : [];
  const known = new Set(fields.map((f) => f.name));
  const orphanErrors = Object.entries(errors).filter(([k]) => !known.has(k));
  return (
    <Dialog
      title={t(`entityNew.${entity}`)}
      onClose={onClose}
      wide
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form={formId} className="btn btn-primary" disabled={busy || !meta.data}>
            {confirming && duplicates.length > 0 ? t('quality.createAnyway') : t('common.create')}
          </button>
        </>
      }
    >
      {!meta.data ? (
        <Spinner label={t('common.loading')} />
      ) : (
        <form id={formId} onSubmit={submit} className="stack" noValidate>
          {formError && (
            <div className="form-error" role="alert">
              {formError}
            </div>
          )}
          <DuplicateWarning matches={duplicates} confirming={confirming} />
          {orphanErrors.map(([k, m]) => (
            <div key={k} className="form-error" role="alert">
              {k}: {m}
            </div>
          ))}
          <div className="form-grid">
            {fields.map((f) => {
              const id = `${formId}-${f.name}`;
              return (
                <div key={f.name} className={isWide(f.name, f.type) ? 'field span-2' : 'field'}>
                  <label htmlFor={id}>
                    {fieldLabel(t, f)}
                    {f.required ? ' *' : ''}
                  </label>
                  <FieldInput
                    field={f}
                    id={id}
                    value={values[f.name]}
                    error={errors[f.name]}
                    errorId={`${id}-error`}
                    pipelineId={typeof values.pipeline_id === 'string' ? values.pipeline_id : undefined}
                    onChange={(v) => setValues((s) => ({ ...s, [f.name]: v }))}
                  />
                  <FieldError id={`${id}-error`} message={errors[f.name]} />
                </div>
              );
            })}
          </div>
        </form>
      )}
    </Dialog>
  );
}
