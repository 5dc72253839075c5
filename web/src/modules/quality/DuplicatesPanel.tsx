// "Possible duplicates" on a contact, company or lead card: open or merge each one.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useResource } from '../../api/store';
import { Link } from '../../router';
import { Icon } from '../../ui/Icon';
import { reasonsText } from './DuplicateWarning';
import { MergeDialog } from './MergeDialog';
import { duplicatesOf, hasDuplicateCheck } from './api';

export function DuplicatesPanel({ entity, id, canMerge }: { entity: string; id: string; canMerge: boolean }) {
  const { t } = useTranslation();
  const enabled = hasDuplicateCheck(entity);
  const found = useResource(enabled ? `duplicates:${entity}/${id}` : null, () => duplicatesOf(entity, id));
  const [mergeWith, setMergeWith] = useState<string | null>(null);
  if (!enabled || !found.data || found.data.length === 0) return null;
  return (
    <section className="card dup-panel" aria-label={t('quality.possibleDuplicates')}>
      <div className="card-head">
        <Icon name="alert" size={16} />
        <h2 className="grow">{t('quality.possibleDuplicates')}</h2>
      </div>
      <ul className="related-list">
        {found.data.map((m) => (
          <li key={`${m.entity}/${m.id}`} className="dup-item">
            <Link to={`/${m.entity}/${m.id}`} className="grow">
              <span className="grow">{m.title || m.id}</span>
              <span className="muted">{t('quality.score', { score: Math.round(m.score * 100) })}</span>
            </Link>
            <span className="muted dup-reasons">{reasonsText(t, m.reasons)}</span>
            {canMerge && m.entity === entity && (
              <button type="button" className="btn btn-sm" onClick={() => setMergeWith(m.id)}>
                {t('quality.mergeAction')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {mergeWith && <MergeDialog entity={entity} leftId={id} rightId={mergeWith} onClose={() => setMergeWith(null)} onMerged={() => void found.reload()} />}
    </section>
  );
}
