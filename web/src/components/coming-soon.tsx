"use client";

import { AppShell, PageTitle } from "./app-shell";
import { EmptyState } from "./ui";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";

/** An honest empty state for a section a later release fills: no fake data. */
export function ComingSoon({ title, body }: { title: MessageKey; body: MessageKey }) {
  const { t } = useI18n();
  return (
    <AppShell>
      <PageTitle>{t(title)}</PageTitle>
      <EmptyState title={t("empty.soon")} body={t(body)} />
    </AppShell>
  );
}
