"use client";

import Link from "next/link";
import { useI18n } from "@/lib/i18n";

export default function NotFound() {
  const { t } = useI18n();
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center gap-4 p-6 text-center">
      <h1 className="text-2xl font-bold">{t("notFound.title")}</h1>
      <Link href="/" className="text-teal-800 underline">
        {t("notFound.back")}
      </Link>
    </main>
  );
}
