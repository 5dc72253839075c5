// An input for one field, by field type; values are in API form (money as decimal strings,
// datetimes as RFC 3339 UTC, dates as YYYY-MM-DD).
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { FieldMeta, SearchHit } from '../../api/types';
import { fromLocalInput, toLocalInput } from '../../i18n/format';
import { usePipelines, useUsers } from './hooks';
import { optionLabel } from './labels';
import { useRefTitle } from './refs';

export const CURRENCIES = ['RUB', 'UAH', 'USD', 'EUR', 'KZT', 'BYN', 'GBP', 'CNY'];

type Props = {
  field: FieldMeta;
  value: unknown;
  onChange: (value: unknown) => void;
  id: string;
  error?: string;
  errorId?: string;
  label?: string;
  autoFocus?: boolean;
  onKeyDown?: (e: React.KeyboardEvent) => void;
  pipelineId?: string;
};

function RefPicker({ field, value, onChange, id, error, errorId, label, autoFocus, onKeyDown }: Props) {
  const { t } = useTranslation();
  const entity = field.ref_entity ?? '';
  const current = useRefTitle(entity, value);
  const [text, setText] = useState<string | null>(null);
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [active, setActive] = useState(0);
  const timer = useRef<number>(0);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const search = (q: string) => {
    setText(q);
    window.clearTimeout(timer.current);
    if (!q.trim()) {
      setHits([]);
      return;
    }
    timer.current = window.setTimeout(() => {
      api
        .get<{ data: SearchHit[] }>('/search', { q, limit: 20 })
        .then((r) => setHits(r.data.filter((h) => h.entity === entity).slice(0, 8)))
        .catch(() => setHits([]));
    }, 150);
  };
  const pick = (h: SearchHit | null) => {
    onChange(h ? h.id : null);
    setText(null);
    setHits([]);
  };
  const listId = `${id}-list`;
  return (
    <div style={{ position: 'relative' }}>
      <input
        id={id}
        className="input"
        role="combobox"
        aria-expanded={hits.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        aria-label={label}
        autoFocus={autoFocus}
        placeholder={t('common.searchPlaceholder')}
        value={text ?? current ?? ''}
        onChange={(e) => search(e.target.value)}
        onKeyDown={(e) => {
          if (hits.length && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
            e.preventDefault();
            setActive((a) => (e.key === 'ArrowDown' ? Math.min(a + 1, hits.length - 1) : Math.max(a - 1, 0)));
            return;
          }
          if (hits.length && e.key === 'Enter') {
            e.preventDefault();
            pick(hits[active] ?? null);
            return;
          }
          if (e.key === 'Enter' && text === '') pick(null);
          onKeyDown?.(e);
        }}
      />
      {hits.length > 0 && (
        <ul id={listId} role="listbox" className="popover" style={{ left: 0, right: 0, top: '100%', listStyle: 'none', margin: 0 }}>
          {hits.map((h, i) => (
            <li key={h.id} role="option" aria-selected={i === active}>
              <button type="button" className="menu-item" onMouseDown={(e) => e.preventDefault()} onClick={() => pick(h)}>
                {h.title}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function FieldInput(props: Props) {
  const { field, value, onChange, id, error, errorId, label, autoFocus, onKeyDown, pipelineId } = props;
  const { t } = useTranslation();
  const users = useUsers();
  const pipelines = usePipelines();
  const common = {
    id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? errorId : undefined,
    'aria-label': label,
    autoFocus,
    onKeyDown,
  } as const;
  const str = value === null || value === undefined ? '' : String(value);
  const orNull = (s: string) => (s === '' ? null : s);

  if (field.name === 'stage_id' || field.name === 'pipeline_id') {
    const list = pipelines.data ?? [];
    const options =
      field.name === 'pipeline_id'
        ? list.map((p) => ({ id: p.id, name: p.name }))
        : (list.find((p) => p.id === pipelineId)?.stages ?? list.flatMap((p) => p.stages)).map((s) => ({ id: s.id, name: s.name }));
    return (
      <select className="select" {...common} value={str} onChange={(e) => onChange(orNull(e.target.value))}>
        <option value="">—</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    );
  }

  if (field.name === 'tags') {
    const text = Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : '';
    return (
      <input
        className="input"
        {...common}
        defaultValue={text}
        onChange={(e) => {
          const tags = e.target.value.split(',').map((x) => x.trim()).filter(Boolean);
          onChange(tags.length ? tags : null);
        }}
      />
    );
  }

  switch (field.type) {
    case 'bool':
      return <input type="checkbox" className="checkbox" {...common} checked={Boolean(value)} onChange={(e) => onChange(e.target.checked)} />;
    case 'integer':
    case 'number':
      return (
        <input
          className="input"
          type="number"
          step={field.type === 'integer' ? 1 : 'any'}
          {...common}
          value={str}
          onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}
        />
      );
    case 'money':
      return (
        <input
          className="input num"
          inputMode="decimal"
          {...common}
          value={str}
          onChange={(e) => onChange(orNull(e.target.value.replace(',', '.').replace(/\s/g, '')))}
        />
      );
    case 'currency':
      return (
        <select className="select" {...common} value={str} onChange={(e) => onChange(orNull(e.target.value))}>
          <option value="">—</option>
          {CURRENCIES.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      );
    case 'date':
      return <input className="input" type="date" {...common} value={str.slice(0, 10)} onChange={(e) => onChange(orNull(e.target.value))} />;
    case 'datetime':
      return (
        <input
          className="input"
          type="datetime-local"
          {...common}
          value={toLocalInput(str)}
          onChange={(e) => onChange(e.target.value ? fromLocalInput(e.target.value) : null)}
        />
      );
    case 'enum':
      return (
        <select className="select" {...common} value={str} onChange={(e) => onChange(orNull(e.target.value))}>
          <option value="">—</option>
          {(field.options ?? []).map((o) => (
            <option key={o} value={o}>
              {optionLabel(t, field, o)}
            </option>
          ))}
        </select>
      );
    case 'multi_enum': {
      const current = Array.isArray(value) ? (value as string[]) : [];
      return (
        <div className="row wrap" role="group" aria-label={label} id={id}>
          {(field.options ?? []).map((o) => (
            <label key={o} className="row" style={{ gap: 4 }}>
              <input
                type="checkbox"
                className="checkbox"
                checked={current.includes(o)}
                onChange={(e) => onChange(e.target.checked ? [...current, o] : current.filter((x) => x !== o))}
              />
              {optionLabel(t, field, o)}
            </label>
          ))}
        </div>
      );
    }
    case 'user':
      return (
        <select className="select" {...common} value={str} onChange={(e) => onChange(orNull(e.target.value))}>
          <option value="">—</option>
          {(users.data ?? [])
            .filter((u) => u.active || u.id === value)
            .map((u) => (
              <option key={u.id} value={u.id}>
                {u.name || u.email}
              </option>
            ))}
        </select>
      );
    case 'reference':
      return <RefPicker {...props} />;
    case 'json':
      return (
        <textarea
          className="textarea"
          {...common}
          value={typeof value === 'string' ? value : value === null || value === undefined ? '' : JSON.stringify(value)}
          onChange={(e) => {
            try {
              onChange(JSON.parse(e.target.value));
            } catch {
              onChange(e.target.value);
            }
          }}
        />
      );
    default:
      if (field.name === 'notes' || field.name === 'description' || field.name === 'address') {
        return <textarea className="textarea" {...common} value={str} onChange={(e) => onChange(orNull(e.target.value))} />;
      }
      return (
        <input
          className="input"
          type={field.type === 'email' ? 'email' : field.type === 'phone' ? 'tel' : field.type === 'url' ? 'url' : 'text'}
          {...common}
          value={str}
          onChange={(e) => onChange(orNull(e.target.value))}
        />
      );
  }
}
