// Settings → Roles: built-in and custom roles, and the editor of a custom role — the per-entity
// matrix (read/create/edit/delete × none/own/team/all), hidden and read-only fields, and the
// administrative flags — with the server's messages beside the control they concern.
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, isApiError, type FieldErrors } from '../../api/client';
import { errorText } from '../../api/errors';
import { invalidate } from '../../api/store';
import { Dialog } from '../../ui/Dialog';
import { errorsOf, FormErrorBox, TextField } from '../../ui/Fields';
import { Icon } from '../../ui/Icon';
import { FieldError, Spinner } from '../../ui/Misc';
import { useToast } from '../../ui/Toast';
import { useMe } from '../auth/AuthContext';
import { LIST_ENTITIES } from '../records/entities';
import { useMeta, useUsers } from '../records/hooks';
import { entityLabel, fieldLabel } from '../records/labels';
import { ACTIONS, errorUnder, FLAGS, isBuiltin, normalizeRules, setFieldRule, setFlag, setScope, SCOPES, useRoles, type RoleEntry as Role, type Rules, type Scope } from './roles';

export function RolesSettings() {
  const { t } = useTranslation();
  const me = useMe();
  const toast = useToast();
  const roles = useRoles();
  const users = useUsers();
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const remove = async (r: Role) => {
    try {
      await api.del(`/roles/${r.id}`, r.version ? { ifMatch: r.version } : {});
      invalidate('roles');
      toast.show(t('rolesEditor.deleted', { name: r.name }));
    } catch (e) {
      toast.show(isApiError(e) && e.status === 409 ? t('rolesEditor.inUse', { name: r.name }) : errorText(t, e), { kind: 'error' });
    }
  };
  const count = (r: Role) => (typeof r.users === 'number' ? r.users : (users.data ?? []).filter((u) => u.role === r.id).length);
  if (!me.permissions.manage_users) {
    return (
      <div className="banner" role="note">
        <Icon name="alert" />
        {t('settings.adminOnly')}
      </div>
    );
  }
  return (
    <section className="card">
      <div className="card-head">
        <h2 className="grow">{t('settings.tabs.roles')}</h2>
        {roles.data?.custom && (
          <button type="button" className="btn btn-primary btn-sm" onClick={() => setEditing('new')}>
            <Icon name="plus" size={15} />
            {t('rolesEditor.new')}
          </button>
        )}
      </div>
      {roles.loading ? (
        <Spinner label={t('common.loading')} />
      ) : roles.error ? (
        <div className="card-body">
          <div className="form-error" role="alert">
            {errorText(t, roles.error)}
          </div>
        </div>
      ) : (
        <>
          {!roles.data?.custom && (
            <div className="card-body">
              <p className="muted">{t('rolesEditor.unavailable')}</p>
            </div>
          )}
          <ul className="related-list" aria-label={t('settings.tabs.roles')}>
            {(roles.data?.roles ?? []).map((r) => {
              const builtin = isBuiltin(r);
              return (
                <li key={r.id} className="task-row" data-role={r.name}>
                  <Icon name="shield" size={16} />
                  <span className="grow">
                    <strong>{builtin ? t(`roles.${r.id}`, { defaultValue: r.name }) : r.name}</strong>
                    {r.description && <span className="muted"> · {r.description}</span>}
                  </span>
                  <span className="muted">{t('rolesEditor.users', { count: count(r) })}</span>
                  <span className={builtin ? 'badge' : 'badge badge-accent'}>{builtin ? t('rolesEditor.builtin') : t('rolesEditor.custom')}</span>
                  {!builtin && (
                    <>
                      <button type="button" className="btn btn-sm" onClick={() => setEditing(r)} aria-label={t('rolesEditor.editNamed', { name: r.name })}>
                        <Icon name="edit" size={14} />
                        {t('pipelines.edit')}
                      </button>
                      <button type="button" className="btn btn-ghost btn-icon" onClick={() => void remove(r)} aria-label={t('rolesEditor.deleteNamed', { name: r.name })}>
                        <Icon name="trash" size={15} />
                      </button>
                    </>
                  )}
                </li>
              );
            })}
          </ul>
        </>
      )}
      {editing && <RoleDialog role={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
    </section>
  );
}

function RoleDialog({ role, onClose }: { role?: Role; onClose: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [rules, setRules] = useState<Rules>(() => normalizeRules(role?.rules, LIST_ENTITIES));
  const [open, setOpen] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setBusy(true);
    try {
      const body = { name: name.trim(), description: description.trim(), rules };
      if (role) await api.patch(`/roles/${role.id}`, body, role.version ? { ifMatch: role.version } : {});
      else await api.post('/roles', body);
      invalidate('roles');
      invalidate('users');
      onClose();
    } catch (err) {
      const fe = isApiError(err) && err.status === 412 ? { _: t('records.staleWrite') } : errorsOf(err);
      setErrors(fe);
      // Open the entity whose field rules the server refused, so its message is on screen.
      const bad = LIST_ENTITIES.find((en) => errorUnder(fe, `entities.${en}.hidden_fields`) || errorUnder(fe, `entities.${en}.read_only_fields`));
      if (bad) setOpen(bad);
    } finally {
      setBusy(false);
    }
  };
  const claimed = new Set(['name', 'description', '_']);
  const unplaced = Object.entries(errors).filter(([k]) => !claimed.has(k) && !/^(rules\.)?(entities|manage_users|manage_metadata|view_audit)/.test(k.replace(/^\/+/, '').replace(/\//g, '.')));
  return (
    <Dialog
      title={role ? t('rolesEditor.editNamed', { name: role.name }) : t('rolesEditor.new')}
      onClose={onClose}
      wide
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form={id} className="btn btn-primary" disabled={busy}>
            {t('common.save')}
          </button>
        </>
      }
    >
      <form id={id} className="stack" onSubmit={submit} noValidate>
        <FormErrorBox errors={errors} />
        {unplaced.length > 0 && (
          <div className="form-error" role="alert">
            {unplaced.map(([k, v]) => `${k}: ${v}`).join('; ')}
          </div>
        )}
        <div className="form-grid">
          <TextField label={t('rolesEditor.name')} value={name} autoFocus onChange={setName} error={errors.name} />
          <TextField label={t('rolesEditor.description')} value={description} onChange={setDescription} error={errors.description} />
        </div>
        <div className="row wrap" role="group" aria-label={t('rolesEditor.flags')}>
          {FLAGS.map((f) => (
            <label key={f} className="row" style={{ gap: 6 }}>
              <input type="checkbox" className="checkbox" checked={rules[f]} onChange={(e) => setRules(setFlag(rules, f, e.target.checked))} />
              {t(`rolesEditor.flag.${f}`)}
              <FieldError id={`${id}-${f}-e`} message={errorUnder(errors, f)} />
            </label>
          ))}
        </div>
        <div style={{ overflowX: 'auto' }}>
          <table className="grid matrix" aria-label={t('rolesEditor.matrix')}>
            <thead>
              <tr>
                <th scope="col">{t('rolesEditor.entity')}</th>
                {ACTIONS.map((a) => (
                  <th key={a} scope="col">
                    {t(`rolesEditor.action.${a}`)}
                  </th>
                ))}
                <th scope="col">{t('rolesEditor.fields')}</th>
              </tr>
            </thead>
            <tbody>
              {LIST_ENTITIES.map((en) => {
                const er = rules.entities[en];
                if (!er) return null;
                const fieldsCount = er.hidden_fields.length + er.read_only_fields.length;
                return (
                    <tr key={en}>
                      <th scope="row">
                        {entityLabel(t, en)}
                        <FieldError id={`${id}-${en}-e`} message={errorUnder(errors, `entities.${en}`) && !ACTIONS.some((a) => errorUnder(errors, `entities.${en}.${a}`)) ? errorUnder(errors, `entities.${en}`) : undefined} />
                      </th>
                      {ACTIONS.map((a) => {
                        const msg = errorUnder(errors, `entities.${en}.${a}`);
                        return (
                          <td key={a}>
                            <select
                              className="select"
                              aria-label={t('rolesEditor.scopeOf', { entity: entityLabel(t, en), action: t(`rolesEditor.action.${a}`) })}
                              aria-invalid={msg ? true : undefined}
                              aria-describedby={msg ? `${id}-${en}-${a}-e` : undefined}
                              value={er[a]}
                              onChange={(e) => setRules(setScope(rules, en, a, e.target.value as Scope))}
                            >
                              {SCOPES.map((s) => (
                                <option key={s} value={s}>
                                  {t(`rolesEditor.scope.${s}`)}
                                </option>
                              ))}
                            </select>
                            <FieldError id={`${id}-${en}-${a}-e`} message={msg} />
                          </td>
                        );
                      })}
                      <td>
                        <button type="button" className="btn btn-sm" aria-expanded={open === en} onClick={() => setOpen(open === en ? null : en)} aria-label={t('rolesEditor.fieldsOf', { entity: entityLabel(t, en) })}>
                          <Icon name={open === en ? 'chevronUp' : 'chevronDown'} size={14} />
                          {fieldsCount ? t('rolesEditor.fieldRules', { count: fieldsCount }) : t('rolesEditor.allVisible')}
                        </button>
                      </td>
                    </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {open && rules.entities[open] && <FieldRules entity={open} rules={rules} setRules={setRules} errors={errors} />}
      </form>
    </Dialog>
  );
}

function FieldRules({ entity, rules, setRules, errors }: { entity: string; rules: Rules; setRules: (r: Rules) => void; errors: FieldErrors }) {
  const { t } = useTranslation();
  const meta = useMeta(entity);
  const er = rules.entities[entity];
  if (!er) return null;
  const hiddenMsg = errorUnder(errors, `entities.${entity}.hidden_fields`);
  const roMsg = errorUnder(errors, `entities.${entity}.read_only_fields`);
  return (
    <section className="card" aria-label={t('rolesEditor.fieldsOf', { entity: entityLabel(t, entity) })}>
      <div className="card-head">
        <h3 className="grow">{t('rolesEditor.fieldsOf', { entity: entityLabel(t, entity) })}</h3>
      </div>
      {meta.loading ? (
        <Spinner label={t('common.loading')} />
      ) : (
        <div style={{ overflowX: 'auto', maxHeight: 320 }}>
          {(hiddenMsg || roMsg) && (
            <div className="form-error" role="alert" style={{ margin: 10 }}>
              {[hiddenMsg, roMsg].filter(Boolean).join('; ')}
            </div>
          )}
          <table className="grid matrix">
            <thead>
              <tr>
                <th scope="col">{t('list.field')}</th>
                <th scope="col">{t('rolesEditor.hidden')}</th>
                <th scope="col">{t('rolesEditor.readOnly')}</th>
              </tr>
            </thead>
            <tbody>
              {(meta.data?.fields ?? [])
                .filter((f) => !f.name.endsWith('_e164'))
                .map((f) => {
                  const label = fieldLabel(t, f);
                  const hidden = er.hidden_fields.includes(f.name);
                  return (
                    <tr key={f.name} data-field={f.name}>
                      <td>{label}</td>
                      <td>
                        <input type="checkbox" className="checkbox" aria-label={t('rolesEditor.hideField', { field: label })} checked={hidden} onChange={(e) => setRules(setFieldRule(rules, entity, 'hidden_fields', f.name, e.target.checked))} />
                      </td>
                      <td>
                        <input type="checkbox" className="checkbox" aria-label={t('rolesEditor.readOnlyField', { field: label })} checked={er.read_only_fields.includes(f.name)} disabled={hidden} onChange={(e) => setRules(setFieldRule(rules, entity, 'read_only_fields', f.name, e.target.checked))} />
                      </td>
                    </tr>
                  );
                })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
