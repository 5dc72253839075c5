// Where the signed-in user's own settings (language, time zone, name) are saved: PATCH /me when
// the server's OpenAPI document offers it, PATCH /users/{id} for administrators on servers that
// do not, and otherwise only this browser (the language, in localStorage).
import { api } from '../../api/client';
import type { Me } from '../../api/types';

export type ProfileRoute = 'me' | 'users' | 'local';

export type ProfilePatch = { locale?: string; time_zone?: string; name?: string };

/** Chooses the route from an OpenAPI document (or null when it could not be read). */
export function profileRoute(openapi: unknown, me: Pick<Me, 'permissions'>): ProfileRoute {
  const paths = (openapi as { paths?: Record<string, Record<string, unknown>> } | null)?.paths;
  if (paths?.['/api/v1/me']?.patch) return 'me';
  return me.permissions.manage_users ? 'users' : 'local';
}

let openapi: Promise<unknown> | null = null;

/** The server's OpenAPI document, fetched once per page load; null when unavailable. */
export function serverDocument(): Promise<unknown> {
  openapi ??= api.get<unknown>('/openapi.json').catch(() => {
    openapi = null;
    return null;
  });
  return openapi;
}

export async function resolveProfileRoute(me: Pick<Me, 'permissions'>): Promise<ProfileRoute> {
  return profileRoute(await serverDocument(), me);
}

/** Saves the patch on the account where the server allows it; returns the route taken. */
export async function saveProfile(me: Pick<Me, 'id' | 'permissions'>, patch: ProfilePatch): Promise<ProfileRoute> {
  const route = await resolveProfileRoute(me);
  if (route === 'me') await api.patch('/me', patch);
  else if (route === 'users') await api.patch(`/users/${me.id}`, patch);
  return route;
}
