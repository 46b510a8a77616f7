// Errors that belong to one field of a form: shown under that field (Field's `error`), not in the alert.
import { useEffect, type RefObject } from "react";
import { ApiError } from "./api";
import { errorMessage } from "./errors";
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
export function formErrors<Name extends string>(error: unknown, names: readonly Name[], t: Translate): FormErrors<Name> {
  const fields: FieldErrors<Name> = {};
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
