// A small accessible component set (shadcn/ui style, Tailwind only).
import type {
  ButtonHTMLAttributes,
  InputHTMLAttributes,
  ReactNode,
  SelectHTMLAttributes,
  TextareaHTMLAttributes,
} from "react";
import { useId } from "react";

type Variant = "primary" | "secondary" | "danger" | "ghost";

const variants: Record<Variant, string> = {
  primary: "bg-teal-700 text-white hover:bg-teal-800 disabled:bg-teal-700/60",
  secondary: "bg-white text-slate-800 border border-slate-300 hover:bg-slate-50",
  danger: "bg-red-700 text-white hover:bg-red-800 disabled:bg-red-700/60",
  ghost: "text-slate-700 hover:bg-slate-100",
};

const BUTTON =
  "inline-flex min-h-11 items-center justify-center gap-2 rounded-lg px-4 py-2 text-base font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600 focus-visible:ring-offset-2 disabled:cursor-not-allowed";

/** The classes of a Button, for a Link that must look like one. */
export function buttonClasses(variant: Variant = "primary"): string {
  return `${BUTTON} ${variants[variant]}`;
}

export function Button({
  variant = "primary",
  busy = false,
  className = "",
  children,
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; busy?: boolean }) {
  return (
    <button
      className={`${buttonClasses(variant)} ${className}`}
      disabled={busy || props.disabled}
      aria-busy={busy || undefined}
      {...props}
    >
      {busy ? <Spinner /> : null}
      {children}
    </button>
  );
}

export function Spinner() {
  return (
    <span
      aria-hidden="true"
      className="inline-block h-4 w-4 animate-spin rounded-full border-2 border-current border-r-transparent"
    />
  );
}

/** A line saying something is on its way, announced to screen readers. */
export function Loading({ label, className = "" }: { label: string; className?: string }) {
  return (
    <p role="status" className={`flex items-center gap-2 text-slate-600 ${className}`}>
      <Spinner /> {label}
    </p>
  );
}

// A <select> matches :read-only in browsers (it is not editable text): the greyed read-only look is for
// inputs and text areas only, or every select would look disabled.
export const CONTROL =
  "min-h-11 w-full rounded-lg border bg-white px-3 py-2 text-base text-slate-900 [&:not(select):read-only]:bg-slate-100 [&:not(select):read-only]:text-slate-600 focus:border-teal-600 focus:outline-none focus:ring-2 focus:ring-teal-600/30";

export function describedBy(id: string, hint?: string, error?: string, mark?: ReactNode): string | undefined {
  const ids = [mark ? `${id}-mark` : "", hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

// `mark`: a note shown beside the label (e.g. "filled by the AI"), read with the field as a description.
type Notes = { hint?: string; error?: string; mark?: ReactNode };

/** Label above, hint and error below, all tied to the control through its id. */
function Labelled({
  id,
  label,
  hint,
  error,
  mark,
  className,
  children,
}: Notes & { id: string; label: ReactNode; className: string; children: ReactNode }) {
  return (
    <div className={`flex min-w-0 flex-col gap-1 ${className}`}>
      <FieldLabel id={id} label={label} mark={mark} />
      {children}
      <FieldNotes id={id} hint={hint} error={error} />
    </div>
  );
}

/** A control's label, with its mark beside it (the mark's id is `${id}-mark`, for aria-describedby). */
export function FieldLabel({ id, label, mark }: { id: string; label: ReactNode; mark?: ReactNode }) {
  return (
    <div className="flex flex-wrap items-center gap-x-2">
      <label htmlFor={id} className="text-sm font-medium text-slate-800">
        {label}
      </label>
      {mark ? <span id={`${id}-mark`}>{mark}</span> : null}
    </div>
  );
}

/** A control's hint and error, under it (ids `${id}-hint` and `${id}-error`, for aria-describedby). */
export function FieldNotes({ id, hint, error }: { id: string; hint?: string; error?: string }) {
  return (
    <>
      {hint ? (
        <p id={`${id}-hint`} className="text-sm text-slate-600">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="text-sm font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </>
  );
}

function controlProps(id: string, { hint, error, mark }: Notes) {
  return {
    id,
    "aria-describedby": describedBy(id, hint, error, mark),
    "aria-invalid": error ? true : undefined,
    className: `${CONTROL} ${error ? "border-red-500" : "border-slate-300"}`,
  };
}

export function Field({
  label,
  hint,
  error,
  mark,
  className = "",
  ...props
}: InputHTMLAttributes<HTMLInputElement> & Notes & { label: ReactNode }) {
  const id = useId();
  return (
    <Labelled id={id} label={label} hint={hint} error={error} mark={mark} className={className}>
      <input {...controlProps(id, { hint, error, mark })} {...props} />
    </Labelled>
  );
}

export function TextArea({
  label,
  hint,
  error,
  mark,
  className = "",
  ...props
}: TextareaHTMLAttributes<HTMLTextAreaElement> & Notes & { label: ReactNode }) {
  const id = useId();
  return (
    <Labelled id={id} label={label} hint={hint} error={error} mark={mark} className={className}>
      <textarea {...controlProps(id, { hint, error, mark })} {...props} />
    </Labelled>
  );
}

export function Select({
  label,
  hint,
  error,
  mark,
  children,
  className = "",
  ...props
}: SelectHTMLAttributes<HTMLSelectElement> & Notes & { label: ReactNode; children: ReactNode }) {
  const id = useId();
  return (
    <Labelled id={id} label={label} hint={hint} error={error} mark={mark} className={className}>
      <select {...controlProps(id, { hint, error, mark })} {...props}>
        {children}
      </select>
    </Labelled>
  );
}

export function Card({ title, children, className = "" }: { title?: string; children: ReactNode; className?: string }) {
  return (
    <section className={`rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6 ${className}`}>
      {title ? <h2 className="mb-4 text-lg font-semibold text-slate-900">{title}</h2> : null}
      {children}
    </section>
  );
}

export function Alert({ kind = "error", children }: { kind?: "error" | "success" | "info"; children: ReactNode }) {
  const styles = {
    error: "border-red-300 bg-red-50 text-red-900",
    success: "border-emerald-300 bg-emerald-50 text-emerald-900",
    info: "border-sky-300 bg-sky-50 text-sky-900",
  }[kind];
  return (
    <div role={kind === "error" ? "alert" : "status"} className={`rounded-lg border px-4 py-3 text-sm ${styles}`}>
      {children}
    </div>
  );
}

export function EmptyState({ title, body }: { title: string; body: string }) {
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center">
      <p className="text-base font-semibold text-slate-900">{title}</p>
      <p className="mx-auto mt-2 max-w-md text-sm text-slate-600">{body}</p>
    </div>
  );
}
