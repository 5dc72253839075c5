// The signed-in user: restored from GET /me (which also hands a fresh tab its CSRF token on servers
// that send one; otherwise the tab needs the token sign-in stored), set by sign-in.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, isApiError, onUnauthenticated, setCsrfToken } from '../../api/client';
import { clearCache } from '../../api/store';
import type { LoginResult, Me } from '../../api/types';
import { isLanguage, setLanguage, storedLanguage } from '../../i18n';
import { setTimeZone } from '../../i18n/format';
import { saveProfile as saveProfileOn, type ProfilePatch, type ProfileRoute } from './profile';

type AuthState = {
  me: Me | null;
  status: 'loading' | 'anonymous' | 'ready';
  login: (email: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  refresh: () => Promise<void>;
  /** Saves the user's own name, time zone or language where the server allows; see profile.ts. */
  saveProfile: (patch: ProfilePatch) => Promise<ProfileRoute>;
  /** Switches the interface language now and keeps the choice (browser, and account if possible). */
  saveLanguage: (lang: string) => Promise<void>;
};

const Ctx = createContext<AuthState | null>(null);

function hasCsrf(): boolean {
  try {
    return Boolean(sessionStorage.getItem('voronka.csrf'));
  } catch {
    return false;
  }
}

function apply(me: Me): void {
  setTimeZone(me.time_zone);
  if (!storedLanguage() && isLanguage(me.locale)) setLanguage(me.locale, false);
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [status, setStatus] = useState<AuthState['status']>('loading');

  const refresh = useCallback(async () => {
    const current = await api.get<Me>('/me');
    if (current.csrf_token) setCsrfToken(current.csrf_token);
    // Cookie writes need a CSRF token: from /me, or the one sign-in stored in this tab.
    if (!hasCsrf()) throw new Error('no CSRF token for this tab');
    apply(current);
    setMe(current);
    setStatus('ready');
  }, []);

  useEffect(() => {
    refresh().catch(() => setStatus('anonymous'));
  }, [refresh]);

  useEffect(
    () =>
      onUnauthenticated(() => {
        setCsrfToken(null);
        setMe(null);
        setStatus('anonymous');
      }),
    [],
  );

  const login = useCallback(
    async (email: string, password: string) => {
      const result = await api.post<LoginResult>('/auth/login', { email, password });
      setCsrfToken(result.csrf_token);
      clearCache();
      await refresh();
    },
    [refresh],
  );

  const logout = useCallback(async () => {
    try {
      await api.post('/auth/logout');
    } catch (e) {
      if (!isApiError(e)) throw e;
    }
    setCsrfToken(null);
    clearCache();
    setMe(null);
    setStatus('anonymous');
  }, []);

  const saveProfile = useCallback(
    async (patch: ProfilePatch) => {
      if (!me) return 'local' as const;
      const route = await saveProfileOn(me, patch);
      if (route !== 'local') await refresh();
      return route;
    },
    [me, refresh],
  );

  const saveLanguage = useCallback(
    async (lang: string) => {
      if (!isLanguage(lang)) return;
      setLanguage(lang);
      if (!me || me.locale === lang) return;
      try {
        await saveProfile({ locale: lang });
      } catch {
        /* the choice still applies in this browser */
      }
    },
    [me, saveProfile],
  );

  const value = useMemo(
    () => ({ me, status, login, logout, refresh, saveProfile, saveLanguage }),
    [me, status, login, logout, refresh, saveProfile, saveLanguage],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useAuth(): AuthState {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}

/** The signed-in user; only for screens behind sign-in. */
export function useMe(): Me {
  const { me } = useAuth();
  if (!me) throw new Error('useMe without a signed-in user');
  return me;
}
