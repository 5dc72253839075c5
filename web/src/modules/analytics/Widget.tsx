// A dashboard card: title, loading/error/empty states, and the exports of its figures — CSV and
// XLSX from the endpoint (`format=`), PNG painted from the card's chart.
import { useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Query } from '../../api/client';
import { errorText } from '../../api/errors';
import { isApiError } from '../../api/client';
import { Icon } from '../../ui/Icon';
import { Spinner } from '../../ui/Misc';
import { Popover } from '../../ui/Popover';
import { useToast } from '../../ui/Toast';
import { downloadExport, downloadPng } from './api';
import { exportName } from './chartMath';

export function Widget(props: {
  id: string;
  title: string;
  loading: boolean;
  error: unknown;
  empty?: boolean;
  exportPath?: string;
  exportQuery?: Query;
  actions?: ReactNode;
  wide?: boolean;
  /** Shown under the figures whatever their state (e.g. a form that adds the missing data). */
  footer?: ReactNode;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const body = useRef<HTMLDivElement>(null);
  const [busy, setBusy] = useState(false);
  const run = async (what: 'csv' | 'xlsx' | 'png') => {
    setBusy(true);
    try {
      if (what === 'png') {
        const svg = body.current?.querySelector('svg.chart');
        if (!(svg instanceof SVGSVGElement)) throw new Error('no chart');
        await downloadPng(svg, exportName(props.title, 'png'));
      } else if (props.exportPath) {
        await downloadExport(props.exportPath, props.exportQuery ?? {}, what, exportName(props.title, what));
      }
    } catch (e) {
      toast.show(isApiError(e) ? errorText(t, e) : t('analytics.exportFailed'), { kind: 'error' });
    } finally {
      setBusy(false);
    }
  };
  const missing = isApiError(props.error) && (props.error.status === 404 || props.error.status === 405);
  return (
    <section className={props.wide ? 'card an-wide' : 'card'} aria-labelledby={`${props.id}-h`} data-widget={props.id}>
      <div className="card-head">
        <h2 id={`${props.id}-h`} className="grow">
          {props.title}
        </h2>
        {props.actions}
        {!props.loading && !props.error && !props.empty && (
          <Popover className="btn btn-ghost btn-sm" align="right" ariaLabel={t('analytics.exportOf', { title: props.title })} label={<><Icon name="download" size={15} /><span className="hide-sm">{t('analytics.export')}</span></>}>
            {(close) => (
              <div role="menu">
                {props.exportPath && (
                  <>
                    <button type="button" role="menuitem" className="menu-item" disabled={busy} onClick={() => { close(); void run('csv'); }}>
                      {t('analytics.exportCsv')}
                    </button>
                    <button type="button" role="menuitem" className="menu-item" disabled={busy} onClick={() => { close(); void run('xlsx'); }}>
                      {t('analytics.exportXlsx')}
                    </button>
                  </>
                )}
                <button type="button" role="menuitem" className="menu-item" disabled={busy} onClick={() => { close(); void run('png'); }}>
                  {t('analytics.exportPng')}
                </button>
              </div>
            )}
          </Popover>
        )}
      </div>
      <div className="card-body" ref={body}>
        {props.loading ? (
          <Spinner label={t('common.loading')} />
        ) : props.error ? (
          missing ? (
            <p className="muted">{t('analytics.unavailable')}</p>
          ) : (
            <div className="form-error" role="alert">
              {errorText(t, props.error)}
            </div>
          )
        ) : props.empty ? (
          <p className="muted">{t('analytics.noData')}</p>
        ) : (
          props.children
        )}
      </div>
      {props.footer && !props.loading && (
        <div className="card-body" style={{ borderTop: '1px solid var(--border)' }}>
          {props.footer}
        </div>
      )}
    </section>
  );
}
