// Small building blocks: avatar with initials, spinner, empty state, field error text.
import type { ReactNode } from 'react';
import { Icon, type IconName } from './Icon';

const COLORS = ['#2563eb', '#16a34a', '#db2777', '#ea580c', '#7c3aed', '#0891b2', '#ca8a04', '#dc2626', '#4f46e5', '#059669'];

export function initials(name: string): string {
  const parts = name.trim().split(/[\s@._-]+/).filter(Boolean);
  const a = parts[0]?.[0] ?? '?';
  const b = parts[1]?.[0] ?? '';
  return (a + b).toUpperCase();
}

function colorFor(key: string): string {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return COLORS[h % COLORS.length] as string;
}

export function Avatar({ name, id, large }: { name: string; id?: string; large?: boolean }) {
  return (
    <span className={large ? 'avatar avatar-lg' : 'avatar'} style={{ background: colorFor(id ?? name) }} title={name} aria-hidden="true">
      {initials(name)}
    </span>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <div className="center" role="status">
      <span className="spinner" aria-hidden="true" />
      <span className="sr-only">{label}</span>
    </div>
  );
}

export function Empty({ icon, title, children }: { icon: IconName; title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <Icon name={icon} size={40} />
      <h2 className="empty-title">{title}</h2>
      {children}
    </div>
  );
}

export function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <span id={id} className="field-error" role="alert">
      {message}
    </span>
  );
}
