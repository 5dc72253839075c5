// Data quality: how many records have invalid phones or emails or lack key fields (each count
// opens the list behind it), likely duplicate pairs from the last scan with merge, and a scan.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { errorText } from '../api/errors';
import { useResource } from '../api/store';
import { useMe } from '../modules/auth/AuthContext';
import { MergeDialog } from '../modules/quality/MergeDialog';
import { reasonsText } from '../modules/quality/DuplicateWarning';
import { QUALITY_ENTITIES, type DuplicatePair, type QualityReport } from '../modules/quality/api';
import { entityLabel } from '../modules/records/labels';
import { formatDateTime } from '../i18n/format';
import { Link } from '../router';
import { Empty, Spinner } from '../ui/Misc';
import { useToast } from '../ui/Toast';

const FLAG_COLUMNS = ['invalid_phone', 'invalid_email'] as const;

export default function QualityPage() {
  const { t } = useTranslation();
  const me = useMe();
  const toast = useToast();
  const report = useResource<QualityReport>('quality:report', () => api.get<QualityReport>('/quality/report'));
  const [entity, setEntity] = useState<string>('contacts');
  const pairs = useResource<DuplicatePair[]>(`quality:pairs:${entity}`, () =>
    api.get<{ data: DuplicatePair[] }>('/duplicates', { entity, limit: 100 }).then((r) => r.data),
  );
  const [merging, setMerging] = useState<DuplicatePair | null>(null);
  const [scanning, setScanning] = useState(false);

  const scan = async () => {
    setScanning(true);
    try {
      const r = await api.post<{ pairs: number; records: number; seconds: number }>('/duplicates/scan', { entity });
      toast.show(t('quality.scanDone', { count: r.pairs, records: r.records }));
      await Promise.all([pairs.reload(), report.reload()]);
    } catch (e) {
      toast.show(errorText(t, e), { kind: 'error' });
    } finally {
      setScanning(false);
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('quality.title')}</h1>
        {report.data && <span className="muted">{t('quality.generatedAt', { when: formatDateTime(report.data.generated_at) })}</span>}
      </div>
      <div className="table-wrap">
        {!report.data ? (
          report.error ? (
            <div className="form-error" role="alert">
              {errorText(t, report.error)}
            </div>
          ) : (
            <Spinner label={t('common.loading')} />
          )
        ) : (
          <table className="grid" aria-label={t('quality.reportTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('quality.entity')}</th>
                <th scope="col">{t('quality.records')}</th>
                {FLAG_COLUMNS.map((c) => (
                  <th scope="col" key={c}>
                    {t(`quality.counts.${c}`)}
                  </th>
                ))}
                <th scope="col">{t('quality.counts.no_phone_or_email')}</th>
                <th scope="col">{t('quality.counts.no_name')}</th>
                <th scope="col">{t('quality.counts.duplicate_pairs')}</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(report.data.entities).map(([name, c]) => (
                <tr key={name}>
                  <th scope="row">
                    <Link to={`/${name}`}>{entityLabel(t, name)}</Link>
                  </th>
                  <td>{c.records}</td>
                  {FLAG_COLUMNS.map((flag) => (
                    <td key={flag}>
                      {c[flag] > 0 ? (
                        <Link to={`/${name}?filter[quality_flags][contains]=${flag}`} aria-label={t('quality.openFlagged', { count: c[flag], flag: t(`quality.counts.${flag}`) })}>
                          {c[flag]}
                        </Link>
                      ) : (
                        0
                      )}
                    </td>
                  ))}
                  <td>{c.no_phone_or_email}</td>
                  <td>{c.no_name}</td>
                  <td>{c.duplicate_pairs}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>

      <div className="page-head" style={{ marginTop: 24 }}>
        <h2 className="grow">{t('quality.pairsTitle')}</h2>
        <div className="segmented" role="group" aria-label={t('quality.entity')}>
          {QUALITY_ENTITIES.map((e) => (
            <button key={e} type="button" aria-pressed={entity === e} onClick={() => setEntity(e)}>
              {entityLabel(t, e)}
            </button>
          ))}
        </div>
        {me.permissions.manage_users && (
          <button type="button" className="btn btn-primary btn-sm" disabled={scanning} onClick={() => void scan()}>
            {scanning ? t('quality.scanning') : t('quality.scan')}
          </button>
        )}
      </div>
      <div className="table-wrap">
        {pairs.loading && !pairs.data ? (
          <Spinner label={t('common.loading')} />
        ) : !pairs.data?.length ? (
          <Empty icon="check" title={t('quality.noPairs')} />
        ) : (
          <table className="grid" aria-label={t('quality.pairsTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('quality.first')}</th>
                <th scope="col">{t('quality.second')}</th>
                <th scope="col">{t('quality.scoreColumn')}</th>
                <th scope="col">{t('quality.reasonsColumn')}</th>
                <th scope="col">
                  <span className="sr-only">{t('trash.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {pairs.data.map((p) => (
                <tr key={`${p.left.id}/${p.right.id}`}>
                  <td>
                    <Link to={`/${p.entity}/${p.left.id}`}>{p.left.title || p.left.id}</Link>
                  </td>
                  <td>
                    <Link to={`/${p.entity}/${p.right.id}`}>{p.right.title || p.right.id}</Link>
                  </td>
                  <td>{Math.round(p.score * 100)}%</td>
                  <td className="muted">{reasonsText(t, p.reasons)}</td>
                  <td style={{ textAlign: 'right' }}>
                    {!me.permissions.read_only && (
                      <button type="button" className="btn btn-sm" onClick={() => setMerging(p)}>
                        {t('quality.mergeAction')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {merging && (
        <MergeDialog
          entity={merging.entity}
          leftId={merging.left.id}
          rightId={merging.right.id}
          onClose={() => setMerging(null)}
          onMerged={() => {
            void pairs.reload();
            void report.reload();
          }}
        />
      )}
    </div>
  );
}
