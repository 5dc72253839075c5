// Warns while a new contact, company or lead is typed that it is probably already in the CRM,
// with links to open each match; the form asks once more before saving a likely duplicate.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Link } from '../../router';
import { Icon } from '../../ui/Icon';
import { checkDraft, draftKey, hasDuplicateCheck, type DuplicateMatch } from './api';

const DEBOUNCE_MS = 350;

/** Likely duplicates of the values being typed, refreshed a moment after typing stops. */
export function useDraftDuplicates(entity: string, values: Record<string, unknown>): DuplicateMatch[] {
  const [matches, setMatches] = useState<DuplicateMatch[]>([]);
  const key = draftKey(values);
  const enabled = hasDuplicateCheck(entity) && key.replaceAll('\u0001', '') !== '';
  useEffect(() => {
    if (!enabled) {
      setMatches([]);
      return;
    }
    const abort = new AbortController();
    const timer = window.setTimeout(() => {
      checkDraft(entity, values, abort.signal).then(
        (found) => setMatches(found),
        () => undefined, // a half-typed value the server rejects is reported on save, not here
      );
    }, DEBOUNCE_MS);
    return () => {
      window.clearTimeout(timer);
      abort.abort();
    };
    // `key` stands for the matching fields of `values`; other edits need no new check.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [entity, key, enabled]);
  return matches;
}

export function DuplicateWarning({ matches, confirming }: { matches: DuplicateMatch[]; confirming: boolean }) {
  const { t } = useTranslation();
  if (matches.length === 0) return null;
  return (
    <div className="banner dup-warning" role={confirming ? 'alert' : 'status'} aria-live="polite">
      <Icon name="alert" />
      <div className="grow">
        <strong>{t('quality.likelyDuplicates', { count: matches.length })}</strong>
        {confirming && <div>{t('quality.createAnywayHint')}</div>}
        <ul className="dup-list">
          {matches.map((m) => (
            <li key={`${m.entity}/${m.id}`}>
              <Link to={`/${m.entity}/${m.id}`}>{m.title || m.id}</Link>
              <span className="muted">
                {' '}
                · {t('quality.score', { score: Math.round(m.score * 100) })} · {reasonsText(t, m.reasons)}
              </span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

/** "same_phone", "name_similar:0.93" and the like from the matcher; the word before ':' names it. */
export function reasonKey(reason: string): string {
  return reason.split(/[:=\s]/)[0] ?? reason;
}

/** The matcher's reasons in the user's language, unknown ones as the server wrote them. */
export function reasonsText(t: TFunction, reasons: string[]): string {
  return reasons.map((r) => t(`quality.reasons.${reasonKey(r)}`, { defaultValue: r })).join(', ');
}
