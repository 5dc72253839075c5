// A button that opens a small floating panel; closes on outside click and Esc.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

type Props = {
  label: ReactNode;
  ariaLabel?: string;
  className?: string;
  align?: 'left' | 'right';
  children: (close: () => void) => ReactNode;
};

export function Popover({ label, ariaLabel, className = 'btn', align = 'left', children }: Props) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const id = useId();
  useEffect(() => {
    if (!open) return undefined;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  return (
    <div ref={ref} style={{ position: 'relative' }}>
      <button
        type="button"
        className={className}
        aria-label={ariaLabel}
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        {label}
      </button>
      {open && (
        <div id={id} className="popover" style={align === 'right' ? { right: 0, top: 'calc(100% + 4px)' } : { left: 0, top: 'calc(100% + 4px)' }}>
          {children(() => setOpen(false))}
        </div>
      )}
    </div>
  );
}
