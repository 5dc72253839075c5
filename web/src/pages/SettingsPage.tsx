// Settings: profile, language and theme, users, roles, teams, custom fields, pipelines and stages,
// products and price lists, API tokens.
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, isApiError, type FieldErrors } from '../api/client';
import { errorText } from '../api/errors';
import { invalidate, useResource } from '../api/store';
import type { ApiToken, EntityMeta, Pipeline, StageKind, User } from '../api/types';
import { useAuth, useMe } from '../modules/auth/AuthContext';
import { resolveProfileRoute, type ProfileRoute } from '../modules/auth/profile';
import { PriceListsSettings, ProductsSettings } from '../modules/sales/CatalogueSettings';
import { RolesSettings } from '../modules/access/RolesSettings';
import { isBuiltin, useRoles } from '../modules/access/roles';
import { LIST_ENTITIES } from '../modules/records/entities';
import { useMeta, usePipelines, useTeams, useUsers } from '../modules/records/hooks';
import { entityLabel, fieldLabel } from '../modules/records/labels';
import { LANGUAGES } from '../i18n';
import { formatDate } from '../i18n/format';
import { Link } from '../router';
import { useTheme } from '../theme';
import { Dialog } from '../ui/Dialog';
import { Icon } from '../ui/Icon';
import { Avatar, FieldError, Spinner } from '../ui/Misc';
import { errorsOf, FormErrorBox, SelectField, TextField } from '../ui/Fields';
import { useToast } from '../ui/Toast';

const TABS = ['general', 'users', 'roles', 'teams', 'fields', 'pipelines', 'products', 'prices', 'tokens'] as const;

export default function SettingsPage({ tab }: { tab: string }) {
  const { t } = useTranslation();
  const current = (TABS as readonly string[]).includes(tab) ? tab : 'general';
  const nav = useRef<HTMLElement>(null);
  useEffect(() => {
    // On phones the tabs scroll sideways: keep the current one in view.
    nav.current?.querySelector('[aria-current=page]')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [current]);
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('settings.title')}</h1>
      </div>
      <div className="settings">
        <nav className="settings-nav" aria-label={t('settings.title')} ref={nav}>
          {TABS.map((x) => (
            <Link key={x} to={x === 'general' ? '/settings' : `/settings/${x}`} aria-current={current === x ? 'page' : undefined}>
              {t(`settings.tabs.${x}`)}
            </Link>
          ))}
        </nav>
        <div className="stack">
          {current === 'general' && <General />}
          {current === 'users' && <Users />}
          {current === 'roles' && <RolesSettings />}
          {current === 'teams' && <Teams />}
          {current === 'fields' && <CustomFields />}
          {current === 'pipelines' && <Pipelines />}
          {current === 'products' && <ProductsSettings />}
          {current === 'prices' && <PriceListsSettings />}
          {current === 'tokens' && <Tokens />}
        </div>
      </div>
    </div>
  );
}

function General() {
  const { t, i18n } = useTranslation();
  const { me, saveLanguage } = useAuth();
  const [theme, setTheme] = useTheme();
  const route = useProfileRoute();
  return (
    <>
      <Profile route={route} />
      <section className="card" aria-labelledby="appearance-h">
        <div className="card-head">
          <h2 id="appearance-h">{t('settings.appearance')}</h2>
        </div>
        <div className="card-body stack">
          <div className="field">
            <span className="field-label" id="lang-label">
              {t('settings.language')}
            </span>
            <div className="segmented" role="group" aria-labelledby="lang-label" aria-describedby="lang-note">
              {LANGUAGES.map((l) => (
                <button key={l} type="button" aria-pressed={i18n.language === l} onClick={() => void saveLanguage(l)}>
                  {t(`languages.${l}`)}
                </button>
              ))}
            </div>
            <span className="muted" style={{ fontSize: 12 }} id="lang-note">
              {route === null ? '\u00a0' : route === 'local' ? t('settings.languageLocal') : t('settings.languageSaved')}
            </span>
          </div>
          <div className="field">
            <span className="field-label" id="theme-label">
              {t('settings.theme')}
            </span>
            <div className="segmented" role="group" aria-labelledby="theme-label">
              <button type="button" aria-pressed={theme === 'light'} onClick={() => setTheme('light')}>
                <Icon name="sun" size={15} /> {t('theme.light')}
              </button>
              <button type="button" aria-pressed={theme === 'dark'} onClick={() => setTheme('dark')}>
                <Icon name="moon" size={15} /> {t('theme.dark')}
              </button>
            </div>
          </div>
          {me && (
            <div className="muted" style={{ fontSize: 13 }}>
              {t('settings.timeZone', { zone: me.time_zone })}
            </div>
          )}
        </div>
      </section>
    </>
  );
}

function useProfileRoute(): ProfileRoute | null {
  const me = useMe();
  const [route, setRoute] = useState<ProfileRoute | null>(null);
  useEffect(() => {
    let live = true;
    void resolveProfileRoute(me).then((r) => live && setRoute(r));
    return () => {
      live = false;
    };
  }, [me]);
  return route;
}

function timeZones(current: string): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  return zones.includes(current) ? zones : [current, ...zones];
}

function Profile({ route }: { route: ProfileRoute | null }) {
  const { t } = useTranslation();
  const me = useMe();
  const { saveProfile } = useAuth();
  const toast = useToast();
  const [name, setName] = useState(me.name);
  const [zone, setZone] = useState(me.time_zone);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const editable = route === 'me' || route === 'users';
  const dirty = name !== me.name || zone !== me.time_zone;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setBusy(true);
    try {
      const patch: { name?: string; time_zone?: string } = {};
      if (name !== me.name) patch.name = name.trim();
      if (zone !== me.time_zone) patch.time_zone = zone;
      await saveProfile(patch);
      toast.show(t('profile.saved'));
    } catch (err) {
      setErrors(errorsOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="profile-h">
      <div className="card-head">
        <Avatar name={me.name || me.email} id={me.id} />
        <h2 id="profile-h" className="grow">
          {t('profile.title')}
        </h2>
        <span className="muted hide-sm">{me.email}</span>
      </div>
      <form className="card-body stack" onSubmit={submit} noValidate>
        <FormErrorBox errors={errors} />
        <fieldset disabled={!editable || busy} className="form-grid" style={{ border: 0, padding: 0, margin: 0 }}>
          <TextField label={t('profile.name')} value={name} onChange={setName} error={errors.name} />
          <SelectField label={t('profile.timeZone')} value={zone} onChange={setZone} error={errors.time_zone}>
            {timeZones(me.time_zone).map((z) => (
              <option key={z} value={z}>
                {z.replace(/_/g, ' ')}
              </option>
            ))}
          </SelectField>
        </fieldset>
        {route === 'local' && (
          <div className="banner" role="note">
            <Icon name="alert" />
            {t('profile.adminChanges')}
          </div>
        )}
        {editable && (
          <div>
            <button type="submit" className="btn btn-primary" disabled={!dirty || busy}>
              {t('profile.save')}
            </button>
          </div>
        )}
      </form>
    </section>
  );
}

function AdminOnly({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const me = useMe();
  if (!me.permissions.manage_users) {
    return (
      <div className="banner" role="note">
        <Icon name="alert" />
        {t('settings.adminOnly')}
      </div>
    );
  }
  return <>{children}</>;
}

function Users() {
  const { t } = useTranslation();
  const me = useMe();
  const toast = useToast();
  const users = useUsers();
  const teams = useTeams();
  const [creating, setCreating] = useState(false);
  const roles = useRoles();
  const roleName = (r: string) => {
    const custom = roles.data?.roles.find((x) => !isBuiltin(x) && (x.id === r || x.name === r));
    return custom ? custom.name : t(`roles.${r}`, { defaultValue: r });
  };
  // Built-in roles by their key, custom ones by id (users carry a custom role's id in `role`), and
  // the user's current role even when the list has not caught up with it.
  const roleOptions = (current: string) => {
    const list = [
      ...(['admin', 'manager', 'user'] as const).map((r) => ({ value: r as string, label: t(`roles.${r}`) })),
      ...(roles.data?.roles ?? []).filter((x) => !isBuiltin(x)).map((x) => ({ value: x.id, label: x.name })),
    ];
    return list.some((o) => o.value === current) ? list : [...list, { value: current, label: roleName(current) }];
  };
  const update = async (u: User, patch: Partial<User>) => {
    try {
      await api.patch(`/users/${u.id}`, patch);
      invalidate('users');
    } catch (e) {
      toast.show(errorText(t, e), { kind: 'error' });
    }
  };
  return (
    <section className="card">
      <div className="card-head">
        <h2 className="grow">{t('settings.tabs.users')}</h2>
        {me.permissions.manage_users && (
          <button type="button" className="btn btn-primary btn-sm" onClick={() => setCreating(true)}>
            <Icon name="plus" size={15} />
            {t('users.new')}
          </button>
        )}
      </div>
      {users.loading ? (
        <Spinner label={t('common.loading')} />
      ) : (
        <div style={{ overflowX: 'auto' }}>
          <table className="grid" aria-label={t('settings.tabs.users')}>
            <thead>
              <tr>
                <th scope="col">{t('users.name')}</th>
                <th scope="col">{t('users.role')}</th>
                <th scope="col">{t('users.team')}</th>
                <th scope="col">{t('users.status')}</th>
              </tr>
            </thead>
            <tbody>
              {(users.data ?? []).map((u) => (
                <tr key={u.id} data-email={u.email}>
                  <td>
                    <span className="row">
                      <Avatar name={u.name || u.email} id={u.id} />
                      <span>
                        <div style={{ fontWeight: 600 }}>{u.name || u.email}</div>
                        <div className="muted" style={{ fontSize: 12 }}>
                          {u.email}
                        </div>
                      </span>
                    </span>
                  </td>
                  <td>
                    {me.permissions.manage_users && u.id !== me.id ? (
                      <select className="select" style={{ height: 30, width: 'auto', maxWidth: 220 }} aria-label={t('users.roleOf', { name: u.name || u.email })} value={u.role} onChange={(e) => void update(u, { role: e.target.value })}>
                        {roleOptions(u.role).map((r) => (
                          <option key={r.value} value={r.value}>
                            {r.label}
                          </option>
                        ))}
                      </select>
                    ) : (
                      u.role_name && !(['admin', 'manager', 'user'] as const).some((r) => r === u.role) ? u.role_name : roleName(u.role)
                    )}
                  </td>
                  <td>
                    {me.permissions.manage_users ? (
                      <select className="select" style={{ height: 30 }} aria-label={t('users.teamOf', { name: u.name || u.email })} value={u.team_id ?? ''} onChange={(e) => void update(u, { team_id: e.target.value || null })}>
                        <option value="">—</option>
                        {(teams.data ?? []).map((tm) => (
                          <option key={tm.id} value={tm.id}>
                            {tm.name}
                          </option>
                        ))}
                      </select>
                    ) : (
                      teams.data?.find((tm) => tm.id === u.team_id)?.name ?? '—'
                    )}
                  </td>
                  <td>
                    <span className="row">
                      <span className={u.active ? 'badge badge-success' : 'badge'}>{u.active ? t('users.active') : t('users.inactive')}</span>
                      {me.permissions.manage_users && u.id !== me.id && (
                        <button type="button" className="btn btn-sm" onClick={() => void update(u, { active: !u.active })}>
                          {u.active ? t('users.deactivate') : t('users.activate')}
                        </button>
                      )}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {creating && <NewUserDialog onClose={() => setCreating(false)} />}
    </section>
  );
}

function NewUserDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const teams = useTeams();
  const id = useId();
  const [v, setV] = useState({ name: '', email: '', password: '', role: 'user', team_id: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    try {
      const body: Record<string, string> = { name: v.name, email: v.email, password: v.password, role: v.role };
      if (v.team_id) body.team_id = v.team_id;
      await api.post('/users', body);
      invalidate('users');
      onClose();
    } catch (err) {
      setErrors(errorsOf(err));
    }
  };
  return (
    <Dialog
      title={t('users.new')}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form={id} className="btn btn-primary">
            {t('common.create')}
          </button>
        </>
      }
    >
      <form id={id} className="stack" onSubmit={submit} noValidate>
        <FormErrorBox errors={errors} />
        <TextField label={t('users.name')} value={v.name} autoFocus onChange={(name) => setV({ ...v, name })} error={errors.name} />
        <TextField label={t('auth.email')} type="email" value={v.email} onChange={(email) => setV({ ...v, email })} error={errors.email} />
        <TextField label={t('auth.password')} type="password" value={v.password} onChange={(password) => setV({ ...v, password })} error={errors.password} />
        <SelectField label={t('users.role')} value={v.role} onChange={(role) => setV({ ...v, role })} error={errors.role}>
          {(['user', 'manager', 'admin'] as const).map((r) => (
            <option key={r} value={r}>
              {t(`roles.${r}`)}
            </option>
          ))}
        </SelectField>
        <SelectField label={t('users.team')} value={v.team_id} onChange={(team_id) => setV({ ...v, team_id })} error={errors.team_id}>
          <option value="">—</option>
          {(teams.data ?? []).map((tm) => (
            <option key={tm.id} value={tm.id}>
              {tm.name}
            </option>
          ))}
        </SelectField>
      </form>
    </Dialog>
  );
}

function Teams() {
  const { t } = useTranslation();
  const teams = useTeams();
  const users = useUsers();
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    try {
      await api.post('/teams', { name });
      setName('');
      invalidate('teams');
    } catch (err) {
      setErrors(errorsOf(err));
    }
  };
  return (
    <section className="card">
      <div className="card-head">
        <h2>{t('settings.tabs.teams')}</h2>
      </div>
      <ul className="related-list">
        {(teams.data ?? []).map((tm) => {
          const members = (users.data ?? []).filter((u) => u.team_id === tm.id);
          return (
            <li key={tm.id} className="task-row">
              <Icon name="team" size={16} />
              <strong className="grow">{tm.name}</strong>
              <span className="muted">{t('teams.members', { count: members.length })}</span>
            </li>
          );
        })}
        {teams.data?.length === 0 && <li className="empty">{t('teams.none')}</li>}
      </ul>
      <AdminOnly>
        <form className="card-body row wrap" onSubmit={submit} noValidate style={{ alignItems: 'flex-end', borderTop: '1px solid var(--border)' }}>
          <div className="grow">
            <TextField label={t('teams.name')} value={name} onChange={setName} error={errors.name ?? errors._} />
          </div>
          <button type="submit" className="btn btn-primary">
            {t('teams.create')}
          </button>
        </form>
      </AdminOnly>
    </section>
  );
}

const FIELD_TYPES = ['text', 'email', 'phone', 'url', 'integer', 'number', 'bool', 'date', 'datetime', 'enum', 'multi_enum'] as const;

function CustomFields() {
  const { t } = useTranslation();
  const [entity, setEntity] = useState<string>('contacts');
  const meta = useMeta(entity);
  const [v, setV] = useState({ label: '', name: '', type: 'text', options: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const toast = useToast();
  const slug = (label: string) =>
    label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .replace(/^(\d)/, 'f_$1')
      .slice(0, 60);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    try {
      const body: Record<string, unknown> = { name: v.name || slug(v.label), label: v.label, type: v.type };
      if (v.type === 'enum' || v.type === 'multi_enum') body.options = v.options.split(',').map((s) => s.trim()).filter(Boolean);
      await api.post(`/meta/${entity}/fields`, body);
      invalidate(`meta:${entity}`);
      setV({ label: '', name: '', type: 'text', options: '' });
      toast.show(t('customFields.added', { label: v.label }));
    } catch (err) {
      setErrors(errorsOf(err));
    }
  };
  const custom = (meta.data as EntityMeta | undefined)?.fields.filter((f) => f.custom) ?? [];
  return (
    <section className="card">
      <div className="card-head">
        <h2 className="grow">{t('settings.tabs.fields')}</h2>
        <label className="sr-only" htmlFor="cf-entity">
          {t('customFields.entity')}
        </label>
        <select id="cf-entity" className="select" style={{ width: 'auto' }} value={entity} onChange={(e) => setEntity(e.target.value)}>
          {LIST_ENTITIES.map((e) => (
            <option key={e} value={e}>
              {entityLabel(t, e)}
            </option>
          ))}
        </select>
      </div>
      <ul className="related-list">
        {custom.map((f) => (
          <li key={f.name} className="task-row">
            <Icon name="field" size={16} />
            <strong className="grow">{fieldLabel(t, f)}</strong>
            <code className="muted">{f.name}</code>
            <span className="badge">{t(`fieldTypes.${f.type}`, { defaultValue: f.type })}</span>
          </li>
        ))}
        {meta.data && custom.length === 0 && <li className="empty">{t('customFields.none')}</li>}
      </ul>
      <AdminOnly>
        <form className="card-body stack" onSubmit={submit} noValidate style={{ borderTop: '1px solid var(--border)' }}>
          <h3>{t('customFields.add')}</h3>
          <FormErrorBox errors={errors} />
          <div className="form-grid">
            <TextField label={t('customFields.label')} value={v.label} onChange={(label) => setV({ ...v, label })} error={errors.label} />
            <TextField label={t('customFields.name')} value={v.name || slug(v.label)} onChange={(name) => setV({ ...v, name })} error={errors.name} />
            <SelectField label={t('customFields.type')} value={v.type} onChange={(type) => setV({ ...v, type })} error={errors.type}>
              {FIELD_TYPES.map((ft) => (
                <option key={ft} value={ft}>
                  {t(`fieldTypes.${ft}`)}
                </option>
              ))}
            </SelectField>
            {(v.type === 'enum' || v.type === 'multi_enum') && (
              <TextField label={t('customFields.options')} value={v.options} onChange={(options) => setV({ ...v, options })} error={errors.options} />
            )}
          </div>
          <div>
            <button type="submit" className="btn btn-primary">
              {t('customFields.submit')}
            </button>
          </div>
        </form>
      </AdminOnly>
    </section>
  );
}

type StageDraft = { id?: string; name: string; probability: number; kind: StageKind; archived?: boolean };

function Pipelines() {
  const { t } = useTranslation();
  const pipelines = usePipelines();
  const me = useMe();
  const [editing, setEditing] = useState<Pipeline | 'new' | null>(null);
  return (
    <section className="card">
      <div className="card-head">
        <h2 className="grow">{t('settings.tabs.pipelines')}</h2>
        {me.permissions.manage_metadata && (
          <button type="button" className="btn btn-primary btn-sm" onClick={() => setEditing('new')}>
            <Icon name="plus" size={15} />
            {t('pipelines.new')}
          </button>
        )}
      </div>
      <div className="card-body stack">
        {(pipelines.data ?? []).map((p: Pipeline) => (
          <div key={p.id}>
            <div className="row" style={{ marginBottom: 6 }}>
              <strong className="grow">{p.name}</strong>
              {me.permissions.manage_metadata && (
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => setEditing(p)} aria-label={t('pipelines.editNamed', { name: p.name })}>
                  <Icon name="edit" size={15} />
                  {t('pipelines.edit')}
                </button>
              )}
              <Link to={`/board?pipeline=${p.id}`} className="btn btn-ghost btn-sm">
                <Icon name="board" size={15} />
                {t('nav.board')}
              </Link>
            </div>
            <div className="row wrap" style={{ gap: 6 }}>
              {p.stages.map((s) => (
                <span key={s.id} className={s.kind === 'won' ? 'badge badge-success' : s.kind === 'lost' ? 'badge badge-danger' : 'badge badge-accent'}>
                  {s.name} · {s.probability}%
                </span>
              ))}
            </div>
          </div>
        ))}
      </div>
      {editing && <PipelineDialog pipeline={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
    </section>
  );
}

function PipelineDialog({ pipeline, onClose }: { pipeline?: Pipeline; onClose: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [name, setName] = useState(pipeline?.name ?? '');
  const [stages, setStages] = useState<StageDraft[]>(() =>
    pipeline
      ? pipeline.stages.map((s) => ({ id: s.id, name: s.name, probability: s.probability, kind: s.kind }))
      : [
          { name: t('defaults.stages.new'), probability: 10, kind: 'open' },
          { name: t('defaults.stages.proposal'), probability: 50, kind: 'open' },
          { name: t('defaults.stages.won'), probability: 100, kind: 'won' },
          { name: t('defaults.stages.lost'), probability: 0, kind: 'lost' },
        ],
  );
  const [errors, setErrors] = useState<FieldErrors>({});
  const set = (i: number, patch: Partial<StageDraft>) => setStages((s) => s.map((x, k) => (k === i ? { ...x, ...patch } : x)));
  const moveStage = (i: number, by: -1 | 1) =>
    setStages((s) => {
      const j = i + by;
      if (j < 0 || j >= s.length) return s;
      const next = [...s];
      [next[i], next[j]] = [next[j] as StageDraft, next[i] as StageDraft];
      return next;
    });
  const remove = (i: number) => setStages((s) => (s[i]?.id ? s.map((x, k) => (k === i ? { ...x, archived: true } : x)) : s.filter((_, k) => k !== i)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    try {
      if (pipeline) {
        await api.patch(`/pipelines/${pipeline.id}`, { name, stages }, pipeline.version ? { ifMatch: pipeline.version } : {});
      } else {
        await api.post('/pipelines', { name, stages });
      }
      invalidate('pipelines');
      invalidate('board:');
      onClose();
    } catch (err) {
      setErrors(isApiError(err) && err.status === 412 ? { _: t('records.staleWrite') } : errorsOf(err));
    }
  };
  const stageError = (i: number) =>
    Object.entries(errors)
      .filter(([k]) => k.startsWith(`stages[${i}]`))
      .map(([, v]) => v)
      .join('; ');
  return (
    <Dialog
      title={pipeline ? t('pipelines.editNamed', { name: pipeline.name }) : t('pipelines.new')}
      onClose={onClose}
      wide
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form={id} className="btn btn-primary">
            {pipeline ? t('common.save') : t('common.create')}
          </button>
        </>
      }
    >
      <form id={id} className="stack" onSubmit={submit} noValidate>
        <FormErrorBox errors={errors} />
        <TextField label={t('pipelines.name')} value={name} autoFocus onChange={setName} error={errors.name} />
        <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0, gap: 8 }}>
          <legend className="field-label" style={{ marginBottom: 8 }}>
            {t('pipelines.stages')}
          </legend>
          {stages.map((s, i) =>
            s.archived ? null : (
              <div key={s.id ?? `new-${i}`}>
                <div className="stage-editor">
                  <input className="input" aria-label={t('pipelines.stageName', { n: i + 1 })} value={s.name} onChange={(e) => set(i, { name: e.target.value })} aria-invalid={stageError(i) ? true : undefined} />
                  <input
                    className="input num"
                    type="number"
                    min={0}
                    max={100}
                    aria-label={t('pipelines.probability', { n: i + 1 })}
                    value={s.probability}
                    onChange={(e) => set(i, { probability: Number(e.target.value) })}
                  />
                  <select className="select" aria-label={t('pipelines.kind', { n: i + 1 })} value={s.kind} onChange={(e) => set(i, { kind: e.target.value as StageKind })}>
                    {(['open', 'won', 'lost'] as const).map((k) => (
                      <option key={k} value={k}>
                        {t(`pipelines.kinds.${k}`)}
                      </option>
                    ))}
                  </select>
                  <span className="row" style={{ gap: 0 }}>
                    <button type="button" className="btn btn-ghost btn-icon btn-sm" aria-label={t('pipelines.moveUp', { n: i + 1 })} onClick={() => moveStage(i, -1)} disabled={i === 0}>
                      <Icon name="chevronUp" size={15} />
                    </button>
                    <button type="button" className="btn btn-ghost btn-icon btn-sm" aria-label={t('pipelines.moveDown', { n: i + 1 })} onClick={() => moveStage(i, 1)} disabled={i === stages.length - 1}>
                      <Icon name="chevronDown" size={15} />
                    </button>
                    <button type="button" className="btn btn-ghost btn-icon btn-sm" aria-label={t('pipelines.removeStage', { n: i + 1 })} onClick={() => remove(i)}>
                      <Icon name="close" size={15} />
                    </button>
                  </span>
                </div>
                <FieldError id={`${id}-stage-${i}`} message={stageError(i)} />
              </div>
            ),
          )}
          <FieldError id={`${id}-stages`} message={errors.stages} />
          <div>
            <button type="button" className="btn btn-sm" onClick={() => setStages((x) => [...x.filter((s) => s.kind === 'open' || s.archived), { name: '', probability: 50, kind: 'open' }, ...x.filter((s) => s.kind !== 'open' && !s.archived)])}>
              <Icon name="plus" size={14} />
              {t('pipelines.addStage')}
            </button>
          </div>
        </fieldset>
      </form>
    </Dialog>
  );
}

function Tokens() {
  const { t } = useTranslation();
  const tokens = useResource<ApiToken[]>('tokens', () => api.get<{ data: ApiToken[] }>('/tokens').then((r) => r.data));
  const [name, setName] = useState('');
  const [readOnly, setReadOnly] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const toast = useToast();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    try {
      const r = await api.post<{ token: string }>('/tokens', { name, read_only: readOnly });
      setCreated(r.token);
      setName('');
      void tokens.reload();
    } catch (err) {
      setErrors(errorsOf(err));
    }
  };
  const revoke = async (tok: ApiToken) => {
    try {
      await api.del(`/tokens/${tok.id}`);
      void tokens.reload();
    } catch (e) {
      toast.show(errorText(t, e), { kind: 'error' });
    }
  };
  return (
    <section className="card">
      <div className="card-head">
        <h2>{t('settings.tabs.tokens')}</h2>
      </div>
      {created && (
        <div className="card-body stack" style={{ borderBottom: '1px solid var(--border)' }}>
          <strong>{t('tokens.createdOnce')}</strong>
          <div className="token-box" data-testid="new-token">
            {created}
          </div>
        </div>
      )}
      <ul className="related-list">
        {(tokens.data ?? []).map((tok) => (
          <li key={tok.id} className="task-row">
            <Icon name="key" size={16} />
            <strong className="grow">{tok.name || t('tokens.unnamed')}</strong>
            {tok.read_only && <span className="badge">{t('tokens.readOnly')}</span>}
            <span className="muted">{formatDate(tok.created_at)}</span>
            <button type="button" className="btn btn-sm" onClick={() => void revoke(tok)}>
              {t('tokens.revoke')}
            </button>
          </li>
        ))}
        {tokens.data?.length === 0 && <li className="empty">{t('tokens.none')}</li>}
      </ul>
      <form className="card-body row wrap" onSubmit={submit} noValidate style={{ alignItems: 'flex-end', borderTop: '1px solid var(--border)' }}>
        <div className="grow">
          <TextField label={t('tokens.name')} value={name} onChange={setName} error={errors.name ?? errors._} />
        </div>
        <label className="row" style={{ height: 36 }}>
          <input type="checkbox" className="checkbox" checked={readOnly} onChange={(e) => setReadOnly(e.target.checked)} />
          {t('tokens.readOnly')}
        </label>
        <button type="submit" className="btn btn-primary">
          {t('tokens.create')}
        </button>
      </form>
    </section>
  );
}
