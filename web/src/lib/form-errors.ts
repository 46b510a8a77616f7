// Errors that belong to one field of a form: shown under that field (Field's `error`), not in the alert.
import { useCallback, useEffect, useRef, useState, type RefObject } from "react";
import { ApiError } from "./api";
import { errorMessage } from "./errors";
import { useI18n } from "./i18n";
import type { MessageKey } from "./messages";

type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export type FieldErrors<Name extends string> = Partial<Record<Name, string>>;

/** What a failed submit shows: the messages under the fields, and one line for the alert on top. */
export interface FormErrors<Name extends string> {
  fields: FieldErrors<Name>;
  message: string;
}

/**
 * A 422 names the fields it refuses: each of the form's own fields gets the API's (Italian) message, and the
 * alert says to look at them; a problem with no field of the form goes to the alert. Any other error is
 * the alert alone.
 */
export function formErrors<Name extends string>(
  error: unknown,
  names: readonly Name[],
  t: Translate,
  byCode: Partial<Record<string, Name>> = {},
): FormErrors<Name> {
  const fields: FieldErrors<Name> = {};
  // A domain error that is about one field (e.g. `wrong_password` for the current password) goes under it.
  const owner = error instanceof ApiError ? byCode[error.code] : undefined;
  if (owner !== undefined) {
    fields[owner] = errorMessage(error, t);
    return { fields, message: t("common.checkFields") };
  }
  if (!(error instanceof ApiError) || error.status !== 422 || error.fields.length === 0) {
    return { fields, message: errorMessage(error, t) };
  }
  const elsewhere: string[] = [];
  for (const problem of error.fields) {
    const name = names.find((candidate) => candidate === problem.field);
    if (name === undefined) elsewhere.push(problem.message);
    else fields[name] ??= problem.message;
  }
  return { fields, message: elsewhere.length ? elsewhere.join(" ") : t("common.checkFields") };
}

/**
 * The browser's own checks before anything is sent (the forms are `noValidate`, so the words are ours and
 * sit under the fields): a required field left empty, an e-mail without its shape.
 */
export function checkFields<Name extends string>(form: HTMLFormElement, names: readonly Name[], t: Translate): FieldErrors<Name> {
  const fields: FieldErrors<Name> = {};
  for (const name of names) {
    const input = form.elements.namedItem(name);
    if (!(input instanceof HTMLInputElement)) continue;
    if (input.validity.valueMissing || (input.required && !input.value.trim())) fields[name] = t("common.required");
    else if (input.type === "email" && input.validity.typeMismatch) fields[name] = t("common.invalidEmail");
  }
  return fields;
}

/**
 * Once a submit's messages are on screen, the focus goes to the first field that has one, so the keyboard
 * and the screen reader land on it (with its message, tied to it by aria-describedby).
 */
export function useFocusFirstError<Name extends string>(
  form: RefObject<HTMLFormElement | null>,
  names: readonly Name[],
  fields: FieldErrors<Name>,
): void {
  useEffect(() => {
    const first = names.find((name) => fields[name]);
    const input = first === undefined ? null : form.current?.elements.namedItem(first);
    if (input instanceof HTMLElement) input.focus();
  }, [form, names, fields]);
}

export interface FormErrorsState<Name extends string> {
  /** Give it to the `<form ref>`: the focus goes to the first field with a message. */
  formRef: RefObject<HTMLFormElement | null>;
  /** The message under each field (Field's `error`). */
  fields: FieldErrors<Name>;
  /** The one line for the alert on top, or null. */
  message: string | null;
  /** Before sending: the browser's own checks; false (and the messages shown) when a field is wrong. */
  check: (form: HTMLFormElement) => boolean;
  /** A failed submit: a 422's `fields` under their fields, anything else in the alert. */
  fail: (error: unknown) => void;
  clear: () => void;
}

/**
 * The whole mechanism for a form, in one hook: `names` are the form's field names as the API names them
 * (a module-level constant: it must not change between renders), `byCode` the domain errors that belong
 * to one field. Usage:
 *
 *   const errors = useFormErrors(FIELDS);
 *   <form ref={errors.formRef} noValidate onSubmit={(e) => { e.preventDefault(); if (!errors.check(e.currentTarget)) return;
 *     mutation.mutate(body, { onError: errors.fail, onSuccess: errors.clear }); }}>
 *     {errors.message ? <Alert>{errors.message}</Alert> : null}
 *     <Field name="title" error={errors.fields.title} />
 */
export function useFormErrors<Name extends string>(
  names: readonly Name[],
  byCode: Partial<Record<string, Name>> = NO_CODES,
): FormErrorsState<Name> {
  const { t } = useI18n();
  const formRef = useRef<HTMLFormElement>(null);
  const [fields, setFields] = useState<FieldErrors<Name>>({});
  const [message, setMessage] = useState<string | null>(null);
  useFocusFirstError(formRef, names, fields);
  const check = useCallback(
    (form: HTMLFormElement) => {
      const missing = checkFields(form, names, t);
      setFields(missing);
      const ok = Object.keys(missing).length === 0;
      setMessage(ok ? null : t("common.checkFields"));
      return ok;
    },
    [names, t],
  );
  const fail = useCallback(
    (error: unknown) => {
      const shown = formErrors(error, names, t, byCode);
      setFields(shown.fields);
      setMessage(shown.message);
    },
    [names, t, byCode],
  );
  const clear = useCallback(() => {
    setFields({});
    setMessage(null);
  }, []);
  return { formRef, fields, message, check, fail, clear };
}

const NO_CODES: Partial<Record<string, never>> = {};
