"use client";

import type { ReactNode } from "react";
import { LanguageSwitch } from "@/components/language-switch";
import { useI18n } from "@/lib/i18n";

/** The frame of the signed-out pages: name, tagline, one card, the language switch. */
export function AuthFrame({ title, subtitle, children }: { title: string; subtitle?: string; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="flex min-h-dvh flex-col items-center justify-center bg-slate-50 px-4 py-10">
      <div className="w-full max-w-md">
        {/* Landmarks around everything (banner, main, contentinfo): nothing is left outside a region. */}
        <header>
          <p className="mb-1 text-center text-xl font-bold text-teal-800">{t("app.name")}</p>
          <p className="mb-6 text-center text-sm text-slate-600">{t("app.tagline")}</p>
        </header>
        <main className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <h1 className="text-2xl font-bold text-slate-900">{title}</h1>
          {subtitle ? <p className="mt-1 text-sm text-slate-600">{subtitle}</p> : null}
          <div className="mt-6">{children}</div>
        </main>
        <footer className="mt-6 flex justify-center">
          <LanguageSwitch />
        </footer>
      </div>
    </div>
  );
}
