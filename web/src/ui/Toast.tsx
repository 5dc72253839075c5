// Transient notices at the bottom right, announced to screen readers; optional action (Undo).
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

type Toast = { id: number; text: string; kind: 'info' | 'error'; action?: { label: string; run: () => void } };

type ToastApi = {
  show: (text: string, opts?: { kind?: 'info' | 'error'; action?: Toast['action'] }) => void;
};

const Ctx = createContext<ToastApi>({ show: () => undefined });

let nextId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const show = useCallback<ToastApi['show']>((text, opts = {}) => {
    const id = nextId++;
    setToasts((ts) => [...ts.slice(-2), { id, text, kind: opts.kind ?? 'info', action: opts.action }]);
    window.setTimeout(() => setToasts((ts) => ts.filter((x) => x.id !== id)), opts.kind === 'error' ? 7000 : opts.action ? 6000 : 3500);
  }, []);
  const api = useMemo(() => ({ show }), [show]);
  return (
    <Ctx.Provider value={api}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((x) => (
          <div key={x.id} className={x.kind === 'error' ? 'toast toast-error' : 'toast'}>
            <span>{x.text}</span>
            {x.action && (
              <button
                type="button"
                className="btn btn-sm"
                onClick={() => {
                  x.action?.run();
                  setToasts((ts) => ts.filter((y) => y.id !== x.id));
                }}
              >
                {x.action.label}
              </button>
            )}
          </div>
        ))}
      </div>
    </Ctx.Provider>
  );
}

export function useToast(): ToastApi {
  return useContext(Ctx);
}
