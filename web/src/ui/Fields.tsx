// Labelled form controls with their error text beside them (aria-invalid + aria-describedby).
import { useId, type ReactNode } from 'react';
import type { FieldErrors } from '../api/client';
import { isApiError } from '../api/client';
import { FieldError } from './Misc';

/** Per-field messages of a failed request; anything else under "_". */
export function errorsOf(e: unknown): FieldErrors {
  if (!isApiError(e)) return { _: String(e) };
  return Object.keys(e.fieldErrors).length ? e.fieldErrors : { _: e.message };
}

export function TextField(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  type?: string;
  autoFocus?: boolean;
  inputMode?: 'text' | 'decimal' | 'numeric';
  hint?: string;
  multiline?: boolean;
  className?: string;
}) {
  const id = useId();
  const described = [props.error ? `${id}-e` : '', props.hint ? `${id}-h` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={props.className ? `field ${props.className}` : 'field'}>
      <label htmlFor={id}>{props.label}</label>
      {props.multiline ? (
        <textarea
          id={id}
          className="textarea"
          rows={3}
          value={props.value}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={described}
          onChange={(e) => props.onChange(e.target.value)}
        />
      ) : (
        <input
          id={id}
          className={props.inputMode === 'decimal' ? 'input num' : 'input'}
          type={props.type ?? 'text'}
          value={props.value}
          autoFocus={props.autoFocus}
          inputMode={props.inputMode}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={described}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
      {props.hint && (
        <span id={`${id}-h`} className="muted" style={{ fontSize: 12 }}>
          {props.hint}
        </span>
      )}
      <FieldError id={`${id}-e`} message={props.error} />
    </div>
  );
}

export function SelectField(props: { label: string; value: string; onChange: (v: string) => void; error?: string; children: ReactNode; className?: string }) {
  const id = useId();
  return (
    <div className={props.className ? `field ${props.className}` : 'field'}>
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        className="select"
        value={props.value}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${id}-e` : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      >
        {props.children}
      </select>
      <FieldError id={`${id}-e`} message={props.error} />
    </div>
  );
}

export function FormErrorBox({ errors }: { errors: FieldErrors }) {
  return errors._ ? (
    <div className="form-error" role="alert">
      {errors._}
    </div>
  ) : null;
}
