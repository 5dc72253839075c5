// Light/dark theme: saved per browser, applied as data-theme on <html>.
import { useCallback, useState } from 'react';

export type Theme = 'light' | 'dark';

export function currentTheme(): Theme {
  return document.documentElement.getAttribute('data-theme') === 'dark' ? 'dark' : 'light';
}

export function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setState] = useState<Theme>(currentTheme);
  const set = useCallback((t: Theme) => {
    document.documentElement.setAttribute('data-theme', t);
    try {
      localStorage.setItem('voronka.theme', t);
    } catch {
      /* applies to this page only */
    }
    setState(t);
  }, []);
  return [theme, set];
}
