"use client";

import { CalendarClock, Tag } from "lucide-react";
import Link from "next/link";
import { AppShell, PageTitle } from "./app-shell";
import { buttonClasses } from "./ui";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";

/**
 * A section a later release fills, reached by a deep link or (Vendite) the tab bar: what it will do, that it
 * is not there yet and when it comes, and what works today. No fake data, no bare "coming soon".
 */
export function ComingSoon({ title, body, when }: { title: MessageKey; body: MessageKey; when: MessageKey }) {
  const { t } = useI18n();
  return (
    <AppShell>
      <PageTitle>{t(title)}</PageTitle>
      <section
        aria-labelledby="soon-what"
        className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
      >
        <h2 id="soon-what" className="text-lg font-semibold text-slate-900">
          {t("soon.what")}
        </h2>
        <p className="mt-2 text-base text-slate-800">{t(body)}</p>
        <p className="mt-4 flex items-start gap-2 rounded-lg bg-amber-50 p-3 text-sm text-amber-950">
          <CalendarClock aria-hidden="true" className="mt-0.5 h-5 w-5 shrink-0" />
          <span>
            {t("soon.notYet")} {t(when)}
          </span>
        </p>
        <p className="mt-4 text-sm text-slate-700">{t("soon.today")}</p>
        <Link href="/annunci" className={`${buttonClasses("secondary")} mt-3 w-full sm:w-auto`}>
          <Tag aria-hidden="true" className="h-5 w-5" />
          {t("soon.toListings")}
        </Link>
      </section>
    </AppShell>
  );
}
