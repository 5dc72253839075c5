// Recycle bin: deleted records of every entity, each restorable.
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { errorText } from '../api/errors';
import { invalidate, useResource } from '../api/store';
import type { RecycleItem } from '../api/types';
import { ENTITY_ICONS } from '../modules/records/entities';
import { entitySingular } from '../modules/records/labels';
import { formatDateTime } from '../i18n/format';
import { navigate } from '../router';
import { Icon } from '../ui/Icon';
import { Empty, Spinner } from '../ui/Misc';
import { useToast } from '../ui/Toast';

export default function RecyclePage() {
  const { t } = useTranslation();
  const toast = useToast();
  const bin = useResource<RecycleItem[]>('trash', () => api.get<{ data: RecycleItem[] }>('/recycle-bin', { limit: 200 }).then((r) => r.data));
  const restore = async (item: RecycleItem) => {
    try {
      await api.post(`/${item.entity}/${item.id}/restore`);
      bin.mutate((items) => items?.filter((x) => x.id !== item.id));
      invalidate(`list:${item.entity}`);
      invalidate('board:');
      toast.show(t('trash.restored', { title: item.title }), { action: { label: t('trash.open'), run: () => navigate(`/${item.entity}/${item.id}`) } });
    } catch (e) {
      toast.show(errorText(t, e), { kind: 'error' });
    }
  };
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('trash.title')}</h1>
        <span className="muted">{t('trash.hint')}</span>
      </div>
      <div className="table-wrap">
        {bin.loading ? (
          <Spinner label={t('common.loading')} />
        ) : !bin.data?.length ? (
          <Empty icon="trash" title={t('trash.empty')} />
        ) : (
          <table className="grid" aria-label={t('trash.title')}>
            <thead>
              <tr>
                <th scope="col">{t('trash.record')}</th>
                <th scope="col">{t('trash.type')}</th>
                <th scope="col">{t('trash.deletedAt')}</th>
                <th scope="col">
                  <span className="sr-only">{t('trash.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {bin.data.map((item) => (
                <tr key={`${item.entity}/${item.id}`}>
                  <td style={{ fontWeight: 600 }}>{item.title}</td>
                  <td>
                    <span className="row">
                      <Icon name={ENTITY_ICONS[item.entity] ?? 'deal'} size={15} />
                      {entitySingular(t, item.entity)}
                    </span>
                  </td>
                  <td>{formatDateTime(item.deleted_at)}</td>
                  <td style={{ textAlign: 'right' }}>
                    <button type="button" className="btn btn-sm" onClick={() => void restore(item)} aria-label={t('trash.restoreItem', { title: item.title })}>
                      <Icon name="restore" size={14} />
                      {t('trash.restore')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
