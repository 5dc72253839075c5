// App shell: sign-in gate, sidebar navigation, top bar with search, and code-split routes.
import { Suspense, lazy, useEffect, useState, type ComponentType, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Reminders } from './modules/activities/Reminders';
import { AuthProvider, useAuth } from './modules/auth/AuthContext';
import { ENTITY_ICONS, isListEntity } from './modules/records/entities';
import { Link, matchPath, navigate, useLocation } from './router';
import { useTheme } from './theme';
import { Icon, type IconName } from './ui/Icon';
import { Avatar, Spinner } from './ui/Misc';
import { Popover } from './ui/Popover';
import { ToastProvider } from './ui/Toast';
import { LANGUAGES, type Language } from './i18n';
import { SignIn } from './pages/SignIn';

/**
 * A code-split page that renders synchronously once its chunk is in: React 19 holds a revealed
 * Suspense boundary for ~300 ms, which a preloaded route should not pay.
 */
function lazyPage<P extends object>(load: () => Promise<{ default: ComponentType<P> }>) {
  let loaded: ComponentType<P> | null = null;
  const preload = () =>
    load().then((m) => {
      loaded = m.default;
      return m;
    });
  const Lazy = lazy(preload);
  const Page = (props: P) => {
    const Loaded = loaded;
    return Loaded ? <Loaded {...props} /> : <Lazy {...props} />;
  };
  return Object.assign(Page, { preload });
}

const BoardPage = lazyPage(() => import('./pages/BoardPage'));
const ListPage = lazyPage(() => import('./pages/ListPage'));
const RecordPage = lazyPage(() => import('./pages/RecordPage'));
const MyDayPage = lazyPage(() => import('./pages/MyDayPage'));
const RecyclePage = lazyPage(() => import('./pages/RecyclePage'));
const SettingsPage = lazyPage(() => import('./pages/SettingsPage'));
const AnalyticsPage = lazyPage(() => import('./pages/AnalyticsPage'));
const QualityPage = lazyPage(() => import('./pages/QualityPage'));
const CalendarPage = lazyPage(() => import('./pages/CalendarPage'));
// The board is the usual first screen: fetch its chunk while /me is still on the way.
if (typeof window !== 'undefined' && /^\/(board)?$/.test(window.location.pathname)) void BoardPage.preload();
const SearchPalette = lazy(() => import('./modules/search/SearchPalette'));

export function App() {
  return (
    <ToastProvider>
      <AuthProvider>
        <Gate />
      </AuthProvider>
    </ToastProvider>
  );
}

function Gate() {
  const { status } = useAuth();
  const { t } = useTranslation();
  const { pathname } = useLocation();
  useEffect(() => {
    if (status === 'anonymous' && pathname !== '/login') {
      const back = window.location.pathname + window.location.search;
      navigate(`/login${back && back !== '/' ? `?next=${encodeURIComponent(back)}` : ''}`, { replace: true });
    }
  }, [status, pathname]);
  if (status === 'loading') return <Spinner label={t('common.loading')} />;
  if (status === 'anonymous') return <SignIn />;
  return <Shell />;
}

const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

type NavItem = { to: string; icon: IconName; label: string; match: (p: string) => boolean };

function Shell() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const [navOpen, setNavOpen] = useState(false);
  const [searchOpen, setSearchOpen] = useState(false);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setSearchOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => setNavOpen(false), [pathname]);
  useEffect(() => {
    // Warm the other screens once the first one is up, so later navigation does not wait.
    const timer = window.setTimeout(() => {
      for (const page of [BoardPage, ListPage, RecordPage, MyDayPage]) void page.preload().catch(() => undefined);
    }, 1500);
    return () => window.clearTimeout(timer);
  }, []);
  useEffect(() => {
    if (pathname === '/' || pathname === '/login') navigate('/board', { replace: true });
  }, [pathname]);

  const under = (prefix: string) => (p: string) => p === prefix || p.startsWith(`${prefix}/`);
  const work: NavItem[] = [
    { to: '/board', icon: 'board', label: t('nav.board'), match: under('/board') },
    { to: '/my-day', icon: 'day', label: t('nav.myDay'), match: under('/my-day') },
    { to: '/calendar', icon: 'calendar', label: t('nav.calendar'), match: under('/calendar') },
    { to: '/analytics/sales', icon: 'chart', label: t('nav.analytics'), match: under('/analytics') },
  ];
  const records: NavItem[] = (['deals', 'leads', 'contacts', 'companies', 'activities', 'products'] as const).map((e) => ({
    to: `/${e}`,
    icon: ENTITY_ICONS[e] ?? 'deal',
    label: t(`entities.${e}`),
    match: under(`/${e}`),
  }));
  const other: NavItem[] = [
    { to: '/quality', icon: 'check', label: t('nav.quality'), match: under('/quality') },
    { to: '/trash', icon: 'trash', label: t('nav.trash'), match: under('/trash') },
    { to: '/settings', icon: 'settings', label: t('nav.settings'), match: under('/settings') },
  ];
  const renderNav = (items: NavItem[]) =>
    items.map((i) => (
      <Link key={i.to} to={i.to} className="nav-link" aria-current={i.match(pathname) ? 'page' : undefined}>
        <Icon name={i.icon} />
        <span>{i.label}</span>
      </Link>
    ));

  return (
    <div className={navOpen ? 'shell nav-open' : 'shell'}>
      <nav className="sidebar" aria-label={t('nav.main')}>
        <div className="brand">
          <span className="brand-mark">
            <Icon name="funnel" size={17} />
          </span>
          {t('app.name')}
        </div>
        {renderNav(work)}
        <div className="nav-section">{t('nav.records')}</div>
        {renderNav(records)}
        <div className="sidebar-foot">{renderNav(other)}</div>
      </nav>
      <div className="backdrop" onClick={() => setNavOpen(false)} aria-hidden="true" />
      <div className="main">
        <header className="topbar">
          <button type="button" className="btn btn-ghost btn-icon menu-toggle" aria-label={t('nav.openMenu')} onClick={() => setNavOpen(true)}>
            <Icon name="menu" />
          </button>
          <button type="button" className="search-trigger" onClick={() => setSearchOpen(true)} aria-keyshortcuts="Control+K Meta+K">
            <Icon name="search" size={16} />
            <span className="grow">{t('search.trigger')}</span>
            <span className="kbd">{IS_MAC ? t('search.shortcutMac') : t('search.shortcut')}</span>
          </button>
          <span className="grow" />
          <Reminders />
          <ThemeToggle />
          <UserMenu />
        </header>
        <main className="content" id="main">
          <Suspense fallback={<Spinner label={t('common.loading')} />}>
            <Routes pathname={pathname} />
          </Suspense>
        </main>
      </div>
      {searchOpen && (
        <Suspense fallback={null}>
          <SearchPalette onClose={() => setSearchOpen(false)} />
        </Suspense>
      )}
    </div>
  );
}

function Routes({ pathname }: { pathname: string }): ReactNode {
  const { t } = useTranslation();
  if (pathname === '/board' || pathname === '/' || pathname === '/login') return <BoardPage />;
  if (pathname === '/my-day') return <MyDayPage />;
  if (pathname === '/calendar') return <CalendarPage />;
  if (pathname === '/trash') return <RecyclePage />;
  if (pathname === '/quality') return <QualityPage />;
  const analytics = matchPath('/analytics', pathname) ?? matchPath('/analytics/:tab', pathname);
  if (analytics) return <AnalyticsPage tab={analytics.tab ?? 'sales'} />;
  const settings = matchPath('/settings', pathname) ?? matchPath('/settings/:tab', pathname);
  if (settings) return <SettingsPage tab={settings.tab ?? 'general'} />;
  const list = matchPath('/:entity', pathname);
  if (list && isListEntity(list.entity ?? '')) return <ListPage key={list.entity} entity={list.entity as string} />;
  const card = matchPath('/:entity/:id', pathname);
  if (card && isListEntity(card.entity ?? '')) return <RecordPage key={`${card.entity}/${card.id}`} entity={card.entity as string} id={card.id as string} />;
  return (
    <div className="page">
      <h1>{t('common.notFound')}</h1>
      <p>
        <Link to="/board">{t('nav.board')}</Link>
      </p>
    </div>
  );
}

function ThemeToggle() {
  const { t } = useTranslation();
  const [theme, setTheme] = useTheme();
  return (
    <button
      type="button"
      className="btn btn-ghost btn-icon"
      aria-label={theme === 'dark' ? t('theme.toLight') : t('theme.toDark')}
      title={theme === 'dark' ? t('theme.toLight') : t('theme.toDark')}
      onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
    >
      <Icon name={theme === 'dark' ? 'sun' : 'moon'} />
    </button>
  );
}

function UserMenu() {
  const { t, i18n } = useTranslation();
  const { me, logout, saveLanguage } = useAuth();
  if (!me) return null;
  const name = me.name || me.email;
  return (
    <Popover
      className="btn btn-ghost"
      align="right"
      ariaLabel={t('nav.userMenu')}
      label={
        <>
          <Avatar name={name} id={me.id} />
          <span className="hide-sm">{name}</span>
          <Icon name="chevronDown" size={14} />
        </>
      }
    >
      {(close) => (
        <div role="menu" style={{ minWidth: 220 }}>
          <div className="muted" style={{ padding: '6px 10px', fontSize: 12 }}>
            {me.email}
          </div>
          {LANGUAGES.map((l: Language) => (
            <button
              key={l}
              type="button"
              role="menuitemradio"
              aria-checked={i18n.language === l}
              className="menu-item"
              onClick={() => {
                void saveLanguage(l);
                close();
              }}
            >
              <Icon name={i18n.language === l ? 'check' : 'globe'} size={16} />
              {t(`languages.${l}`)}
            </button>
          ))}
          <Link to="/settings" className="menu-item" role="menuitem" onClick={close}>
            <Icon name="settings" size={16} />
            {t('nav.settings')}
          </Link>
          <button type="button" role="menuitem" className="menu-item" onClick={() => void logout()}>
            <Icon name="logout" size={16} />
            {t('auth.signOut')}
          </button>
        </div>
      )}
    </Popover>
  );
}
