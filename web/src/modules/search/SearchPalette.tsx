// Global search (Ctrl+K / ⌘K): results as you type, arrows to choose, Enter to open.
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { SearchHit } from '../../api/types';
import { navigate } from '../../router';
import { Icon } from '../../ui/Icon';
import { ENTITY_ICONS } from '../records/entities';
import { entitySingular } from '../records/labels';

export default function SearchPalette({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [active, setActive] = useState(0);
  const [state, setState] = useState<'idle' | 'loading' | 'done'>('idle');
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    input.current?.focus();
  }, []);
  useEffect(() => {
    if (!q.trim()) {
      setHits([]);
      setState('idle');
      return undefined;
    }
    const ctrl = new AbortController();
    setState('loading');
    const timer = window.setTimeout(() => {
      api
        .get<{ data: SearchHit[] }>('/search', { q: q.trim(), limit: 20 }, ctrl.signal)
        .then((r) => {
          setHits(r.data);
          setActive(0);
          setState('done');
        })
        .catch(() => undefined);
    }, 120);
    return () => {
      window.clearTimeout(timer);
      ctrl.abort();
    };
  }, [q]);

  const open = (h: SearchHit | undefined) => {
    if (!h) return;
    onClose();
    navigate(`/${h.entity}/${h.id}`);
  };

  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="palette" role="dialog" aria-modal="true" aria-label={t('search.title')}>
        <div className="palette-input">
          <Icon name="search" />
          <input
            ref={input}
            role="combobox"
            aria-expanded={hits.length > 0}
            aria-controls={`${id}-list`}
            aria-activedescendant={hits[active] ? `${id}-${active}` : undefined}
            aria-label={t('search.title')}
            placeholder={t('search.placeholder')}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') onClose();
              else if (e.key === 'ArrowDown') {
                e.preventDefault();
                setActive((a) => Math.min(a + 1, hits.length - 1));
              } else if (e.key === 'ArrowUp') {
                e.preventDefault();
                setActive((a) => Math.max(a - 1, 0));
              } else if (e.key === 'Enter') {
                e.preventDefault();
                open(hits[active]);
              }
            }}
          />
          <span className="kbd">{t('search.esc')}</span>
        </div>
        {hits.length > 0 ? (
          <ul id={`${id}-list`} role="listbox" aria-label={t('search.results')}>
            {hits.map((h, i) => (
              <li key={`${h.entity}/${h.id}`} id={`${id}-${i}`} role="option" aria-selected={i === active} onMouseEnter={() => setActive(i)} onClick={() => open(h)}>
                <Icon name={ENTITY_ICONS[h.entity] ?? 'deal'} size={16} />
                <span className="grow">{h.title}</span>
                <span className="badge">{entitySingular(t, h.entity)}</span>
              </li>
            ))}
          </ul>
        ) : (
          <div className="hint" aria-live="polite">
            {state === 'done' ? t('search.nothing', { q }) : state === 'loading' ? t('common.loading') : t('search.hint')}
          </div>
        )}
      </div>
    </div>
  );
}
