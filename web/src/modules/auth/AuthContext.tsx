// The signed-in user: restored from GET /me when this tab holds a CSRF token, set by sign-in.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, isApiError, onUnauthenticated, setCsrfToken } from '../../api/client';
import { clearCache } from '../../api/store';
import type { LoginResult, Me } from '../../api/types';
import { isLanguage, setLanguage, storedLanguage } from '../../i18n';
import { setTimeZone } from '../../i18n/format';

type AuthState = {
  me: Me | null;
  status: 'loading' | 'anonymous' | 'ready';
  login: (email: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  refresh: () => Promise<void>;
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
    apply(current);
    setMe(current);
    setStatus('ready');
  }, []);

  useEffect(() => {
    // Cookie writes need this tab's CSRF token; without one the user signs in again.
    if (!hasCsrf()) {
      setStatus('anonymous');
      return;
    }
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

  const value = useMemo(() => ({ me, status, login, logout, refresh }), [me, status, login, logout, refresh]);
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

/**
 * Switches the interface language. It is kept in this browser; where the user may edit users
 * (PATCH /users/{id} is for administrators) it is saved on the account too.
 */
export async function saveLanguage(me: Me | null, lang: string): Promise<void> {
  if (!isLanguage(lang)) return;
  setLanguage(lang);
  if (me?.permissions.manage_users && me.locale !== lang) {
    try {
      await api.patch(`/users/${me.id}`, { locale: lang });
    } catch {
      /* the local preference still applies */
    }
  }
}
