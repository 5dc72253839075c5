// Translated names of entities, built-in fields and enum options; custom fields keep their label.
import type { TFunction } from 'i18next';
import type { FieldMeta } from '../../api/types';

export function fieldLabel(t: TFunction, field: FieldMeta): string {
  if (field.custom) return field.label;
  return t(`fields.${field.name}`, { defaultValue: field.label });
}

export function optionLabel(t: TFunction, field: FieldMeta | string, value: unknown): string {
  const name = typeof field === 'string' ? field : field.name;
  const custom = typeof field === 'string' ? false : field.custom;
  const v = String(value);
  if (custom) return v;
  return t(`options.${name}.${v}`, { defaultValue: v });
}

export function entityLabel(t: TFunction, entity: string, count?: number): string {
  if (count === undefined) return t(`entities.${entity}`, { defaultValue: entity });
  return t(`entityCount.${entity}`, { count, defaultValue: `${count} ${entity}` });
}

export function entitySingular(t: TFunction, entity: string): string {
  return t(`entitySingular.${entity}`, { defaultValue: entity });
}
