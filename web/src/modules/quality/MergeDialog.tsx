// Merge two records of one entity: pick the record that stays and, field by field, whose value
// wins. The result toast offers Undo, which restores both records and every moved reference.
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { errorText } from '../../api/errors';
import { invalidate, useResource } from '../../api/store';
import type { FieldMeta, RecordBody } from '../../api/types';
import { navigate } from '../../router';
import { Dialog } from '../../ui/Dialog';
import { Spinner } from '../../ui/Misc';
import { useToast } from '../../ui/Toast';
import { FieldValue } from '../records/FieldValue';
import { fieldValue, recordTitle, writableFields } from '../records/entities';
import { useMeta } from '../records/hooks';
import { fieldLabel } from '../records/labels';
import { merge, undoMerge } from './api';

type Props = { entity: string; leftId: string; rightId: string; onClose: () => void; onMerged?: () => void };

const blank = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

export function MergeDialog({ entity, leftId, rightId, onClose, onMerged }: Props) {
  const { t } = useTranslation();
  const toast = useToast();
  const meta = useMeta(entity);
  const left = useResource<RecordBody>(`record:${entity}/${leftId}`, () => api.get<RecordBody>(`/${entity}/${leftId}`));
  const right = useResource<RecordBody>(`record:${entity}/${rightId}`, () => api.get<RecordBody>(`/${entity}/${rightId}`));
  const [survivorIsLeft, setSurvivorIsLeft] = useState(true);
  const [picks, setPicks] = useState<Record<string, 'left' | 'right'>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  // Only fields where both records hold different values need a choice; blanks are filled anyway.
  const conflicts = useMemo<FieldMeta[]>(() => {
    if (!meta.data || !left.data || !right.data) return [];
    return writableFields(meta.data).filter((f) => {
      const a = fieldValue(left.data as RecordBody, f);
      const b = fieldValue(right.data as RecordBody, f);
      return !blank(a) && !blank(b) && JSON.stringify(a) !== JSON.stringify(b);
    });
  }, [meta.data, left.data, right.data]);

  if (left.error || right.error) {
    return (
      <Dialog title={t('quality.mergeTitle')} onClose={onClose}>
        <div className="form-error" role="alert">
          {errorText(t, left.error ?? right.error)}
        </div>
      </Dialog>
    );
  }
  const ready = meta.data && left.data && right.data;
  const survivor = survivorIsLeft ? left.data : right.data;
  const other = survivorIsLeft ? right.data : left.data;

  const submit = async () => {
    if (!survivor || !other) return;
    setBusy(true);
    setError('');
    const fields: Record<string, 'survivor' | 'other'> = {};
    for (const f of conflicts) {
      const pick = picks[f.name] ?? (survivorIsLeft ? 'left' : 'right');
      fields[f.name] = (pick === 'left') === survivorIsLeft ? 'survivor' : 'other';
    }
    try {
      const result = await merge(entity, survivor.id, other.id, fields);
      invalidate(`record:${entity}/`);
      invalidate(`list:${entity}`);
      invalidate(`history:${entity}/`);
      invalidate('duplicates:');
      invalidate('quality:');
      onMerged?.();
      onClose();
      navigate(`/${entity}/${survivor.id}`);
      toast.show(t('quality.merged', { title: recordTitle(result.survivor, meta.data) }), {
        action: {
          label: t('common.undo'),
          run: () =>
            void undoMerge(result.id).then(
              () => {
                invalidate(`record:${entity}/`);
                invalidate(`list:${entity}`);
                invalidate(`history:${entity}/`);
                invalidate('duplicates:');
                toast.show(t('quality.mergeUndone'));
              },
              (e: unknown) => toast.show(errorText(t, e), { kind: 'error' }),
            ),
        },
      });
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t('quality.mergeTitle')}
      onClose={onClose}
      wide
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="button" className="btn btn-primary" disabled={!ready || busy} onClick={() => void submit()}>
            {t('quality.mergeAction')}
          </button>
        </>
      }
    >
      {!ready || !left.data || !right.data ? (
        <Spinner label={t('common.loading')} />
      ) : (
        <div className="stack">
          {error && (
            <div className="form-error" role="alert">
              {error}
            </div>
          )}
          <p className="muted">{t('quality.mergeExplain')}</p>
          <fieldset className="merge-survivor">
            <legend>{t('quality.keepRecord')}</legend>
            {[left.data, right.data].map((r, i) => (
              <label key={r.id} className="radio">
                <input type="radio" name="survivor" checked={survivorIsLeft === (i === 0)} onChange={() => setSurvivorIsLeft(i === 0)} />
                {recordTitle(r, meta.data)}
              </label>
            ))}
          </fieldset>
          {conflicts.length === 0 ? (
            <p>{t('quality.noConflicts')}</p>
          ) : (
            <table className="merge-table">
              <caption>{t('quality.chooseValues')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('quality.field')}</th>
                  <th scope="col">{recordTitle(left.data, meta.data)}</th>
                  <th scope="col">{recordTitle(right.data, meta.data)}</th>
                </tr>
              </thead>
              <tbody>
                {conflicts.map((f) => {
                  const pick = picks[f.name] ?? (survivorIsLeft ? 'left' : 'right');
                  return (
                    <tr key={f.name}>
                      <th scope="row">{fieldLabel(t, f)}</th>
                      {(['left', 'right'] as const).map((side) => (
                        <td key={side}>
                          <label className="radio">
                            <input
                              type="radio"
                              name={`pick-${f.name}`}
                              checked={pick === side}
                              onChange={() => setPicks((p) => ({ ...p, [f.name]: side }))}
                              aria-label={t('quality.takeValue', { field: fieldLabel(t, f), title: recordTitle(side === 'left' ? left.data : right.data, meta.data) })}
                            />
                            <FieldValue field={f} record={(side === 'left' ? left.data : right.data) as RecordBody} />
                          </label>
                        </td>
                      ))}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </div>
      )}
    </Dialog>
  );
}
