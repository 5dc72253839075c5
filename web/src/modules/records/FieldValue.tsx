// Read-only display of one field value, by field type.
import { useTranslation } from 'react-i18next';
import type { FieldMeta, RecordBody } from '../../api/types';
import { formatDate, formatDateTime, formatMoney, formatNumber } from '../../i18n/format';
import { Avatar } from '../../ui/Misc';
import { fieldValue } from './entities';
import { usePipelines, useUsers, userName } from './hooks';
import { optionLabel } from './labels';
import { RefLink } from './refs';

const TONES: Record<string, string> = {
  won: 'badge-success',
  converted: 'badge-success',
  qualified: 'badge-success',
  lost: 'badge-danger',
  junk: 'badge-danger',
  high: 'badge-danger',
  new: 'badge-accent',
  open: 'badge-accent',
  in_progress: 'badge-warning',
};

export function UserChip({ id }: { id: unknown }) {
  const users = useUsers();
  const name = userName(users.data, id);
  if (!name) return null;
  return (
    <span className="row" style={{ gap: 6 }}>
      <Avatar name={name} id={String(id)} />
      <span className="nowrap">{name}</span>
    </span>
  );
}

export function StageName({ id }: { id: unknown }) {
  const pipelines = usePipelines();
  for (const p of pipelines.data ?? []) {
    const s = p.stages.find((x) => x.id === id);
    if (s) return <>{s.name}</>;
  }
  return null;
}

function PipelineName({ id }: { id: unknown }) {
  const pipelines = usePipelines();
  return <>{pipelines.data?.find((p) => p.id === id)?.name ?? ''}</>;
}

export function FieldValue({ field, record }: { field: FieldMeta; record: RecordBody }) {
  const { t } = useTranslation();
  const v = fieldValue(record, field);
  if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) {
    return <span className="prop-empty">—</span>;
  }
  if (field.name === 'stage_id') return <StageName id={v} />;
  if (field.name === 'pipeline_id') return <PipelineName id={v} />;
  if (field.name === 'related_id' && typeof record.related_entity === 'string') return <RefLink entity={record.related_entity} id={String(v)} />;
  if (field.name === 'tags' && Array.isArray(v)) {
    return (
      <span className="row wrap" style={{ gap: 4 }}>
        {v.map((x) => (
          <span key={String(x)} className="badge badge-accent">
            {String(x)}
          </span>
        ))}
      </span>
    );
  }
  if (field.name === 'related_entity') return <>{t(`entitySingular.${String(v)}`, { defaultValue: String(v) })}</>;
  switch (field.type) {
    case 'money': {
      const cur = field.currency_field ? fieldValue(record, field.currency_field) : record.currency;
      return <span className="num">{formatMoney(v as string, typeof cur === 'string' ? cur : null)}</span>;
    }
    case 'integer':
    case 'number':
      return <span className="num">{formatNumber(v as number)}</span>;
    case 'bool':
      return <>{v ? t('common.yes') : t('common.no')}</>;
    case 'date':
      return <>{formatDate(String(v))}</>;
    case 'datetime':
      return <>{formatDateTime(String(v))}</>;
    case 'enum':
      return <span className={`badge ${TONES[String(v)] ?? ''}`}>{optionLabel(t, field, v)}</span>;
    case 'multi_enum':
      return (
        <span className="row wrap" style={{ gap: 4 }}>
          {(Array.isArray(v) ? v : [v]).map((x) => (
            <span key={String(x)} className="badge">
              {optionLabel(t, field, x)}
            </span>
          ))}
        </span>
      );
    case 'user':
      return <UserChip id={v} />;
    case 'reference':
      return field.ref_entity ? <RefLink entity={field.ref_entity} id={String(v)} /> : <>{String(v)}</>;
    case 'email':
      return (
        <a href={`mailto:${String(v)}`} onClick={(e) => e.stopPropagation()}>
          {String(v)}
        </a>
      );
    case 'phone':
      return (
        <a href={`tel:${String(v)}`} onClick={(e) => e.stopPropagation()}>
          {String(v)}
        </a>
      );
    case 'url':
      return (
        <a href={String(v)} target="_blank" rel="noreferrer noopener" onClick={(e) => e.stopPropagation()}>
          {String(v).replace(/^https?:\/\//, '')}
        </a>
      );
    case 'json':
      return <code>{JSON.stringify(v)}</code>;
    default:
      return <>{String(v)}</>;
  }
}
