import type { FormEvent } from "react";

/** The submitted form's fields as strings (and no page reload). */
export function formValues(event: FormEvent<HTMLFormElement>): Record<string, string> {
  event.preventDefault();
  return Object.fromEntries(
    Array.from(new FormData(event.currentTarget).entries()).map(([key, value]) => [key, String(value)]),
  );
}
