"use client";

import { useEffect, useRef, type ReactNode } from "react";
import { Button } from "@/components/ui";
import { useI18n } from "@/lib/i18n";

/**
 * The second step of a destructive action, shown in place: the question, a confirm button and "Annulla".
 * Focus goes to "Annulla" (the safe choice) when it opens.
 */
export function ConfirmPanel({
  message,
  confirmLabel,
  onConfirm,
  onCancel,
  busy = false,
  danger = true,
  children,
}: {
  message: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
  danger?: boolean;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.querySelector<HTMLButtonElement>("[data-cancel]")?.focus(), []);
  return (
    <div
      ref={ref}
      role="group"
      aria-label={message}
      className={`rounded-lg border p-3 ${danger ? "border-red-300 bg-red-50" : "border-amber-300 bg-amber-50"}`}
      onKeyDown={(event) => {
        if (event.key === "Escape") onCancel();
      }}
    >
      <p className={`text-sm font-medium ${danger ? "text-red-900" : "text-amber-900"}`}>{message}</p>
      {children}
      <div className="mt-3 flex flex-wrap gap-2">
        <Button type="button" variant={danger ? "danger" : "primary"} onClick={onConfirm} busy={busy}>
          {confirmLabel}
        </Button>
        <Button type="button" variant="secondary" onClick={onCancel} data-cancel="">
          {t("common.cancel")}
        </Button>
      </div>
    </div>
  );
}
