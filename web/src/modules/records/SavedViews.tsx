// Saved list views (the `list_views` entity): tabs above a list, each replaying its filters, sort
// and columns through the URL (?view=id&filter[..]=..&sort=..); save, rename, share with the team,
// make default, delete. The server shows a user only their own views and their team's shared ones.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { errorText } from '../../api/errors';
import { invalidate, useResource } from '../../api/store';
import type { Page, RecordBody } from '../../api/types';
import { navigate, useLocation } from '../../router';
import { Dialog } from '../../ui/Dialog';
import { FormErrorBox, SelectField, TextField, errorsOf } from '../../ui/Fields';
import { Icon } from '../../ui/Icon';
import { useToast } from '../../ui/Toast';
import type { FieldErrors } from '../../api/client';
import { useMe } from '../auth/AuthContext';

export type ListView = RecordBody & {
  entity: string;
  name: string;
  filters?: Record<string, string> | null;
  sort?: string | null;
  columns?: string[] | null;
  visibility?: 'private' | 'team' | null;
  is_default?: boolean | null;
};

/** The list state a view stores: its filter[..] parameters and sort, from the URL. */
export function stateOf(params: URLSearchParams): { filters: Record<string, string>; sort: string } {
  const filters: Record<string, string> = {};
  for (const [k, v] of params) if (k.startsWith('filter[')) filters[k] = v;
  return { filters, sort: params.get('sort') ?? '' };
}

/** The query string that opens `view`. */
export function viewSearch(view: Pick<ListView, 'id' | 'filters' | 'sort'>): string {
  const q = new URLSearchParams();
  q.set('view', view.id);
  for (const [k, v] of Object.entries(view.filters ?? {})) q.set(k, v);
  if (view.sort) q.set('sort', view.sort);
  return `?${q.toString()}`;
}

/** True when the URL's filters and sort differ from what the view stores. */
export function isModified(view: Pick<ListView, 'filters' | 'sort'>, params: URLSearchParams): boolean {
  const now = stateOf(params);
  const saved = view.filters ?? {};
  const keys = new Set([...Object.keys(saved), ...Object.keys(now.filters)]);
  for (const k of keys) if (saved[k] !== now.filters[k]) return true;
  return (view.sort ?? '') !== now.sort;
}

type Props = { entity: string; columns: string[]; onColumns: (cols: string[]) => void };

export function SavedViews({ entity, columns, onColumns }: Props) {
  const { t } = useTranslation();
  const me = useMe();
  const toast = useToast();
  const { pathname, search } = useLocation();
  const params = new URLSearchParams(search);
  const activeId = params.get('view');
  const views = useResource<Page<ListView>>(`views:${entity}`, () =>
    api.get<Page<ListView>>('/list_views', { 'filter[entity]': entity, sort: 'name', limit: 200 }),
  );
  const list = views.data?.data ?? [];
  const active = list.find((v) => v.id === activeId);
  const [dialog, setDialog] = useState<'new' | 'edit' | null>(null);

  // A list opened without parameters opens the user's default view.
  const opened = useRef(false);
  useEffect(() => {
    if (opened.current || !views.data) return;
    opened.current = true;
    const mine = views.data.data.find((v) => v.is_default && v.owner_id === me.id);
    if (mine && !search) {
      navigate(pathname + viewSearch(mine), { replace: true });
      if (mine.columns?.length) onColumns(mine.columns);
    }
  }, [views.data]); // eslint-disable-line react-hooks/exhaustive-deps

  // Columns follow the view when it is opened from a link or a reload.
  const applied = useRef<string | null>(null);
  useEffect(() => {
    if (!active || applied.current === active.id) return;
    applied.current = active.id;
    if (active.columns?.length) onColumns(active.columns);
  }, [active]); // eslint-disable-line react-hooks/exhaustive-deps

  const open = (view: ListView | null) => {
    applied.current = view?.id ?? null;
    navigate(pathname + (view ? viewSearch(view) : ''));
    if (view?.columns?.length) onColumns(view.columns);
  };

  const modified = active ? isModified(active, params) : false;
  const mine = active?.owner_id === me.id;

  return (
    <div className="view-tabs" role="navigation" aria-label={t('views.title')}>
      <button type="button" className="view-tab" aria-current={!activeId ? 'page' : undefined} onClick={() => open(null)}>
        {t('views.all')}
      </button>
      {list.map((v) => (
        <button key={v.id} type="button" className="view-tab" aria-current={v.id === activeId ? 'page' : undefined} onClick={() => open(v)} data-view={v.name}>
          {v.visibility === 'team' && <Icon name="users" size={13} />}
          <span>{v.name}</span>
          {v.is_default && v.owner_id === me.id && <span className="sr-only">{t('views.isDefault')}</span>}
          {v.id === activeId && modified && <span aria-label={t('views.modified')}>•</span>}
        </button>
      ))}
      <span className="grow" />
      {active && mine && modified && (
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={() =>
            void api
              .patch(`/list_views/${active.id}`, { ...stateOf(params), columns }, { ifMatch: active.version })
              .then(() => {
                invalidate(`views:${entity}`);
                toast.show(t('views.updated', { name: active.name }));
              })
              .catch((e: unknown) => toast.show(errorText(t, e), { kind: 'error' }))
          }
        >
          {t('views.saveChanges')}
        </button>
      )}
      {active && mine && (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setDialog('edit')} aria-label={t('views.editNamed', { name: active.name })}>
          <Icon name="edit" size={15} />
        </button>
      )}
      <button type="button" className="btn btn-ghost btn-sm" onClick={() => setDialog('new')}>
        <Icon name="plus" size={15} />
        {t('views.save')}
      </button>
      {dialog && (
        <ViewDialog
          entity={entity}
          view={dialog === 'edit' ? active : undefined}
          views={list.filter((v) => v.owner_id === me.id)}
          state={{ ...stateOf(params), columns }}
          onClose={() => setDialog(null)}
          onSaved={(v) => {
            setDialog(null);
            invalidate(`views:${entity}`);
            if (v) open(v);
            else open(null);
          }}
        />
      )}
    </div>
  );
}

function ViewDialog(props: {
  entity: string;
  view?: ListView;
  views: ListView[];
  state: { filters: Record<string, string>; sort: string; columns: string[] };
  onClose: () => void;
  onSaved: (v: ListView | null) => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const { view } = props;
  const [name, setName] = useState(view?.name ?? '');
  const [visibility, setVisibility] = useState<string>(view?.visibility ?? 'private');
  const [isDefault, setIsDefault] = useState(Boolean(view?.is_default));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  const save = async () => {
    setBusy(true);
    setErrors({});
    try {
      // One default per list: the previous one gives way first.
      if (isDefault) {
        for (const other of props.views.filter((v) => v.is_default && v.id !== view?.id)) {
          await api.patch(`/list_views/${other.id}`, { is_default: false }, { ifMatch: other.version });
        }
      }
      const body = { name, visibility, is_default: isDefault };
      const saved = view
        ? await api.patch<ListView>(`/list_views/${view.id}`, body, { ifMatch: view.version })
        : await api.post<ListView>('/list_views', { ...body, entity: props.entity, ...props.state });
      toast.show(t(view ? 'views.updated' : 'views.created', { name: saved.name }));
      props.onSaved(saved);
    } catch (e) {
      setErrors(errorsOf(e));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!view) return;
    try {
      await api.del(`/list_views/${view.id}`);
      toast.show(t('views.deleted', { name: view.name }));
      props.onSaved(null);
    } catch (e) {
      setErrors(errorsOf(e));
    }
  };

  return (
    <Dialog
      title={view ? t('views.editTitle') : t('views.newTitle')}
      onClose={props.onClose}
      footer={
        <>
          {view && (
            <button type="button" className="btn btn-danger" onClick={() => void remove()}>
              {t('common.delete')}
            </button>
          )}
          <span className="grow" />
          <button type="button" className="btn" onClick={props.onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form="view-form" className="btn btn-primary" disabled={busy}>
            {t('common.save')}
          </button>
        </>
      }
    >
      <form
        id="view-form"
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <FormErrorBox errors={errors} />
        <TextField label={t('views.name')} value={name} onChange={setName} error={errors.name} autoFocus />
        <SelectField label={t('views.visibility')} value={visibility} onChange={setVisibility} error={errors.visibility}>
          <option value="private">{t('views.private')}</option>
          <option value="team">{t('views.team')}</option>
        </SelectField>
        <label className="menu-item">
          <input type="checkbox" className="checkbox" checked={isDefault} onChange={(e) => setIsDefault(e.target.checked)} />
          {t('views.makeDefault')}
        </label>
        {errors.is_default && <div className="form-error">{errors.is_default}</div>}
      </form>
    </Dialog>
  );
}
