"use client";

// One static page, two views chosen by the query string (static export: no page per id):
//   /vendite            the family's sales (filters in the query string), their figures, DAC7
//   /vendite?id=<uuid>  one sale: its figures, its status, its shipping
import { useSearchParams } from "next/navigation";
import { Suspense, useEffect } from "react";
import { AppShell } from "@/components/app-shell";
import { Dac7Panel } from "@/components/sales/dac7-panel";
import { SaleDetail } from "@/components/sales/sale-detail";
import { SaleList } from "@/components/sales/sale-list";
import { Alert, Spinner } from "@/components/ui";
import { VintedSync } from "@/components/vinted-link/sync-panel";
import { useAuth } from "@/lib/auth";
import { useI18n } from "@/lib/i18n";

// The list's filters, remembered so "back" from a sale returns to the same search.
let lastListSearch = "";

function Sales() {
  const { t } = useI18n();
  const { user } = useAuth();
  const params = useSearchParams();
  const id = params.get("id");
  if (!id) lastListSearch = params.toString();
  const backHref = lastListSearch ? `/vendite?${lastListSearch}` : "/vendite";

  useEffect(() => {
    window.scrollTo({ top: 0 });
  }, [id]);

  if (!user?.family) return <Alert kind="info">{t("sales.noFamily")}</Alert>;
  if (id) return <SaleDetail key={id} id={id} backHref={backHref} />;
  return (
    <div className="flex flex-col gap-6">
      <VintedSync />
      <SaleList />
      <Dac7Panel />
    </div>
  );
}

export default function Page() {
  return (
    <AppShell>
      <Suspense
        fallback={
          <p role="status" className="flex items-center gap-2 text-slate-600">
            <Spinner />
          </p>
        }
      >
        <Sales />
      </Suspense>
    </AppShell>
  );
}
