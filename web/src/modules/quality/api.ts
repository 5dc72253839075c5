// Data-quality endpoints: duplicates of a draft or a stored record, merge with undo, the report.
import { api } from '../../api/client';
import type { RecordBody } from '../../api/types';

export type DuplicateMatch = { entity: string; id: string; title: string; score: number; reasons: string[] };

export type MergeResult = {
  id: string;
  entity: string;
  survivor_id: string;
  other_id: string;
  survivor: RecordBody;
  changes: { field: string; before: unknown; after: unknown }[];
};

export type QualityCounts = {
  records: number;
  no_phone_or_email: number;
  no_name: number;
  invalid_phone: number;
  invalid_email: number;
  invalid_website?: number;
  invalid_inn?: number;
  duplicate_pairs: number;
  records_in_duplicate_pairs: number;
};

export type QualityReport = { entities: Record<string, QualityCounts>; generated_at: string };

export type DuplicatePair = {
  entity: string;
  left: { id: string; title: string };
  right: { id: string; title: string };
  score: number;
  reasons: string[];
  scanned_at: string;
};

/** Entities whose records are checked for duplicates. */
export const QUALITY_ENTITIES = ['contacts', 'companies', 'leads'] as const;

export function hasDuplicateCheck(entity: string): boolean {
  return (QUALITY_ENTITIES as readonly string[]).includes(entity);
}

/** Only the fields that identify a person or company matter; others would only add noise. */
export const MATCH_FIELDS = ['first_name', 'last_name', 'middle_name', 'name', 'company_name', 'email', 'phone', 'website', 'inn'];

export function draftKey(values: Record<string, unknown>): string {
  return MATCH_FIELDS.map((f) => (typeof values[f] === 'string' ? (values[f] as string).trim() : '')).join('\u0001');
}

export function checkDraft(entity: string, values: Record<string, unknown>, signal?: AbortSignal): Promise<DuplicateMatch[]> {
  const body: Record<string, unknown> = {};
  for (const f of MATCH_FIELDS) {
    const v = values[f];
    if (typeof v === 'string' && v.trim() !== '') body[f] = v;
  }
  return api.post<{ data: DuplicateMatch[] }>(`/${entity}/duplicates/check`, body, { signal }).then((r) => r.data);
}

export function duplicatesOf(entity: string, id: string): Promise<DuplicateMatch[]> {
  return api.get<{ data: DuplicateMatch[] }>(`/${entity}/${id}/duplicates`).then((r) => r.data);
}

export function merge(entity: string, survivorId: string, otherId: string, fields: Record<string, 'survivor' | 'other'>): Promise<MergeResult> {
  return api.post<MergeResult>(`/${entity}/merge`, { survivor_id: survivorId, other_id: otherId, fields });
}

export function undoMerge(mergeId: string): Promise<unknown> {
  return api.post(`/merges/${mergeId}/undo`);
}
