// Sign-in screen: email and password; errors under their fields.
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError, type FieldErrors } from '../api/client';
import { useAuth } from '../modules/auth/AuthContext';
import { navigate } from '../router';
import { Icon } from '../ui/Icon';
import { FieldError } from '../ui/Misc';
import { LANGUAGES, setLanguage } from '../i18n';

export function SignIn() {
  const { t, i18n } = useTranslation();
  const { login } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  const id = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setFormError('');
    try {
      await login(email.trim(), password);
      const next = new URLSearchParams(window.location.search).get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/board', { replace: true });
    } catch (err) {
      if (isApiError(err)) {
        setErrors(err.fieldErrors);
        if (err.status === 401) setFormError(t('auth.wrongCredentials'));
        else if (err.status === 429) setFormError(t('auth.tooManyAttempts'));
        else if (!Object.keys(err.fieldErrors).length) setFormError(err.message);
      } else {
        setFormError(String(err));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="signin">
      <section className="signin-hero" aria-hidden="true">
        <div className="brand" style={{ padding: 0 }}>
          <span className="brand-mark">
            <Icon name="funnel" size={17} />
          </span>
          {t('app.name')}
        </div>
        <div>
          <h2>{t('auth.heroTitle')}</h2>
          <ul>
            <li>
              <Icon name="board" /> {t('auth.heroBoard')}
            </li>
            <li>
              <Icon name="day" /> {t('auth.heroDay')}
            </li>
            <li>
              <Icon name="history" /> {t('auth.heroHistory')}
            </li>
          </ul>
        </div>
        <small>{t('auth.heroFoot')}</small>
      </section>
      <section className="signin-form">
        <form onSubmit={submit} className="stack" noValidate aria-labelledby={`${id}-title`}>
          <div>
            <h1 id={`${id}-title`}>{t('auth.title')}</h1>
            <p className="muted" style={{ margin: '4px 0 0' }}>
              {t('auth.subtitle')}
            </p>
          </div>
          {formError && (
            <div className="form-error" role="alert">
              {formError}
            </div>
          )}
          <div className="field">
            <label htmlFor={`${id}-email`}>{t('auth.email')}</label>
            <input
              id={`${id}-email`}
              className="input"
              type="email"
              autoComplete="username"
              autoFocus
              value={email}
              aria-invalid={errors.email ? true : undefined}
              aria-describedby={errors.email ? `${id}-email-error` : undefined}
              onChange={(e) => setEmail(e.target.value)}
            />
            <FieldError id={`${id}-email-error`} message={errors.email} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-password`}>{t('auth.password')}</label>
            <input
              id={`${id}-password`}
              className="input"
              type="password"
              autoComplete="current-password"
              value={password}
              aria-invalid={errors.password ? true : undefined}
              aria-describedby={errors.password ? `${id}-password-error` : undefined}
              onChange={(e) => setPassword(e.target.value)}
            />
            <FieldError id={`${id}-password-error`} message={errors.password} />
          </div>
          <button type="submit" className="btn btn-primary" style={{ height: 40 }} disabled={busy}>
            {busy ? t('auth.signingIn') : t('auth.signIn')}
          </button>
          <div className="segmented" role="group" aria-label={t('settings.language')} style={{ alignSelf: 'center' }}>
            {LANGUAGES.map((l) => (
              <button key={l} type="button" aria-pressed={i18n.language === l} onClick={() => setLanguage(l)}>
                {t(`languages.${l}`)}
              </button>
            ))}
          </div>
        </form>
      </section>
    </div>
  );
}
