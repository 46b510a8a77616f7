"use client";

import { useI18n, type Language } from "@/lib/i18n";

export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  return (
    <div role="group" aria-label={t("common.language")} className="flex gap-1">
      {(["it", "en"] as Language[]).map((code) => (
        <button
          key={code}
          type="button"
          onClick={() => setLanguage(code)}
          aria-pressed={language === code}
          className={`min-h-11 rounded-md px-3 text-sm font-medium ${
            language === code ? "bg-teal-700 text-white" : "bg-slate-100 text-slate-700 hover:bg-slate-200"
          }`}
        >
          {code === "it" ? "Italiano" : "English"}
        </button>
      ))}
    </div>
  );
}
