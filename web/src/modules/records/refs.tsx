// Titles of referenced records (company_id → "ООО «Ромашка»"), fetched in batches per entity.
import { useEffect, useReducer } from 'react';
import { api } from '../../api/client';
import type { EntityMeta, Page, RecordBody } from '../../api/types';
import { Link } from '../../router';
import { recordTitle } from './entities';

const titles = new Map<string, string | null>();
const pending = new Map<string, Set<string>>();
const listeners = new Set<() => void>();
const metas = new Map<string, Promise<EntityMeta | undefined>>();
let scheduled = false;

function key(entity: string, id: string): string {
  return `${entity}/${id}`;
}

function metaOf(entity: string): Promise<EntityMeta | undefined> {
  let m = metas.get(entity);
  if (!m) {
    m = api.get<EntityMeta>(`/meta/${entity}`).catch(() => undefined);
    metas.set(entity, m);
  }
  return m;
}

async function flush(): Promise<void> {
  scheduled = false;
  const batches = Array.from(pending.entries());
  pending.clear();
  await Promise.all(
    batches.map(async ([entity, idSet]) => {
      const ids = Array.from(idSet);
      const meta = await metaOf(entity);
      for (let i = 0; i < ids.length; i += 100) {
        const chunk = ids.slice(i, i + 100);
        try {
          const page = await api.get<Page<RecordBody>>(`/${entity}`, { 'filter[id][in]': chunk.join(','), limit: chunk.length });
          for (const r of page.data) titles.set(key(entity, r.id), recordTitle(r, meta));
        } catch {
          /* unknown entity or no rights: leave the ids untitled */
        }
        for (const id of chunk) if (!titles.has(key(entity, id))) titles.set(key(entity, id), null);
      }
    }),
  );
  for (const l of listeners) l();
}

function request(entity: string, id: string): void {
  if (titles.has(key(entity, id))) return;
  let set = pending.get(entity);
  if (!set) {
    set = new Set();
    pending.set(entity, set);
  }
  set.add(id);
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(() => void flush());
  }
}

/** Records a title we already know (after a create, or from a list page). */
export function rememberTitle(entity: string, id: string, title: string): void {
  titles.set(key(entity, id), title);
}

export function useRefTitle(entity: string | undefined, id: unknown): string | null | undefined {
  const [, force] = useReducer((n: number) => n + 1, 0);
  const valid = typeof entity === 'string' && typeof id === 'string' && id !== '';
  useEffect(() => {
    if (!valid) return undefined;
    listeners.add(force);
    request(entity, id);
    return () => {
      listeners.delete(force);
    };
  }, [valid, entity, id]);
  return valid ? titles.get(key(entity, id)) : undefined;
}

export function RefLink({ entity, id }: { entity: string; id: string }) {
  const title = useRefTitle(entity, id);
  return (
    <Link to={`/${entity}/${id}`} onClick={(e) => e.stopPropagation()}>
      {title ?? '…'}
    </Link>
  );
}

export function RefText({ entity, id }: { entity: string; id: unknown }) {
  const title = useRefTitle(entity, id);
  return <>{title ?? ''}</>;
}
