import { useId, useRef, useState, type FormEvent, type InputHTMLAttributes, type ReactNode, type Ref, type TextareaHTMLAttributes } from 'react';
import { ApiProblem } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';

/**
 * A form's submission state: `problem` is the API's refusal, shown next to the field its
 * JSON pointer names (`fieldError('/email')`) and otherwise above the buttons.
 */
export function useSubmit<T>(action: () => Promise<T>, onDone?: (result: T) => void) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const onSubmit = async (e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const result = await action();
      onDone?.(result);
    } catch (err) {
      setProblem(err instanceof ApiProblem ? err : new ApiProblem(0, { code: 'internal', detail: String(err) }));
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (pointer: string) => problem?.fields.get(pointer);
  /** The problem when no field of `pointers` shows it. */
  const formError = (...pointers: string[]) => (problem && !pointers.some((p) => problem.fields.has(p)) ? problem : undefined);
  return { busy, problem, onSubmit, fieldError, formError, setProblem };
}

type FieldProps = { label: string; error?: string | undefined; hint?: string; children?: never; ref?: Ref<HTMLInputElement> } & InputHTMLAttributes<HTMLInputElement>;

/** A labelled input with its hint and its error, tied to it for assistive technology. */
export function Field({ label, error, hint, id, ...input }: FieldProps) {
  const auto = useId();
  const inputId = id ?? auto;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errorId = error ? `${inputId}-error` : undefined;
  const described = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${input.type === 'checkbox' ? ' field-check' : ''}`}>
      <label htmlFor={inputId}>{label}</label>
      <input id={inputId} aria-invalid={error ? true : undefined} aria-describedby={described} {...input} />
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

type TextAreaFieldProps = { label: string; error?: string | undefined; hint?: string | undefined; children?: never } & TextareaHTMLAttributes<HTMLTextAreaElement>;

/** A labelled text area with its hint and its error, as Field is for an input. */
export function TextAreaField({ label, error, hint, id, ...textarea }: TextAreaFieldProps) {
  const auto = useId();
  const areaId = id ?? auto;
  const hintId = hint ? `${areaId}-hint` : undefined;
  const errorId = error ? `${areaId}-error` : undefined;
  const described = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={areaId}>{label}</label>
      <textarea id={areaId} aria-invalid={error ? true : undefined} aria-describedby={described} {...textarea} />
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A refusal that names no field: its detail and its code (for the docs' error list). */
export function ProblemMessage({ problem }: { problem: ApiProblem | undefined }) {
  if (!problem) return null;
  return (
    <p className="problem" role="alert">
      {problem.message} <code>{problem.code}</code>
    </p>
  );
}

/** A secret or a key, readable and selectable, with a copy button. */
export function CopyValue({ label, value, note }: { label: string; value: string; note?: string }) {
  const { t } = useI18n();
  const id = useId();
  const ref = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    ref.current?.select();
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      // Without clipboard access the value stays selected for the operator to copy.
    }
  };
  return (
    <div className="field copy">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input id={id} ref={ref} readOnly value={value} spellCheck={false} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="secondary" onClick={() => void copy()} aria-label={`${copied ? t('common.copied') : t('common.copy')}: ${label}`}>
          {copied ? t('common.copied') : t('common.copy')}
        </button>
      </div>
      {note && <p className="hint">{note}</p>}
    </div>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  const id = useId();
  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="loading" role="status">
      {t('common.loading')}
    </p>
  );
}
