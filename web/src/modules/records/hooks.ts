// Shared reference data: entity metadata, users, teams, pipelines.
import { api } from '../../api/client';
import { useResource } from '../../api/store';
import type { EntityMeta, Pipeline, Team, User } from '../../api/types';

export function useMeta(entity: string | null) {
  return useResource<EntityMeta>(entity ? `meta:${entity}` : null, () => api.get<EntityMeta>(`/meta/${entity}`));
}

export function useUsers() {
  return useResource<User[]>('users', () => api.get<{ data: User[] }>('/users').then((r) => r.data));
}

export function useTeams() {
  return useResource<Team[]>('teams', () => api.get<{ data: Team[] }>('/teams').then((r) => r.data));
}

export function usePipelines() {
  return useResource<Pipeline[]>('pipelines', () =>
    api.get<{ data: Pipeline[] } | Pipeline[]>('/pipelines').then((r) => (Array.isArray(r) ? r : r.data)),
  );
}

export function userName(users: User[] | undefined, id: unknown): string {
  if (typeof id !== 'string') return '';
  const u = users?.find((x) => x.id === id);
  return u ? u.name || u.email : '';
}
