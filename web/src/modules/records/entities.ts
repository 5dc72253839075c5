// The entities the app shows as lists and cards, with their icons and default columns.
import type { IconName } from '../../ui/Icon';
import type { EntityMeta, FieldMeta, RecordBody } from '../../api/types';

export type EntityName = 'contacts' | 'companies' | 'leads' | 'deals' | 'activities' | 'products';

export const LIST_ENTITIES: EntityName[] = ['deals', 'leads', 'contacts', 'companies', 'activities', 'products'];

export const ENTITY_ICONS: Record<string, IconName> = {
  contacts: 'contact',
  companies: 'company',
  leads: 'lead',
  deals: 'deal',
  activities: 'task',
  products: 'product',
  pipelines: 'board',
};

const DEFAULT_COLUMNS: Record<string, string[]> = {
  contacts: ['first_name', 'last_name', 'email', 'phone', 'company_id', 'owner_id'],
  companies: ['name', 'industry', 'phone', 'email', 'website', 'owner_id'],
  leads: ['first_name', 'last_name', 'company_name', 'email', 'phone', 'status', 'owner_id'],
  deals: ['title', 'amount', 'stage_id', 'status', 'company_id', 'expected_close_date', 'owner_id'],
  activities: ['subject', 'type', 'due_at', 'done', 'related_id', 'assignee_id'],
  products: ['name', 'sku', 'category', 'unit', 'active'],
};

export function isListEntity(name: string): name is EntityName {
  return (LIST_ENTITIES as string[]).includes(name);
}

/** Columns shown after the title column (which lists views always show first). */
export function defaultColumns(entity: string, meta: EntityMeta): string[] {
  const names = new Set(meta.fields.map((f) => f.name));
  const titles = new Set(meta.title_fields);
  const wanted = (DEFAULT_COLUMNS[entity] ?? []).filter((n) => names.has(n) && !titles.has(n)).slice(0, 6);
  if (wanted.length >= 2) return wanted;
  return meta.fields
    .filter((f) => f.type !== 'json' && !f.name.endsWith('_e164') && !titles.has(f.name))
    .slice(0, 5)
    .map((f) => f.name);
}

export function fieldValue(record: RecordBody, field: FieldMeta | string): unknown {
  const name = typeof field === 'string' ? field : field.name;
  const custom = typeof field === 'string' ? false : field.custom;
  if (custom) return record.custom?.[name];
  if (name in record) return record[name];
  return record.custom?.[name];
}

/** The record's display title from the entity's title fields. */
export function recordTitle(record: RecordBody | undefined, meta?: EntityMeta): string {
  if (!record) return '';
  const fields = meta?.title_fields?.length ? meta.title_fields : ['title', 'name', 'subject', 'first_name', 'last_name'];
  const parts = fields.map((f) => fieldValue(record, f)).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  if (parts.length) return meta?.title_fields?.length ? parts.join(' ') : (parts[0] as string);
  for (const f of ['title', 'name', 'subject', 'email']) {
    const v = record[f];
    if (typeof v === 'string' && v) return v;
  }
  return record.id;
}

/** Fields a person may write: not read-only, not derived (E.164 copies). */
export function writableFields(meta: EntityMeta): FieldMeta[] {
  return meta.fields.filter((f) => !f.read_only && !f.name.endsWith('_e164'));
}
