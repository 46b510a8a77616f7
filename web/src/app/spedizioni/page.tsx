"use client";

// One static page, three views chosen by the query string (static export: no page per id):
//   /spedizioni                  the family's parcels (?filtro=in-viaggio|in-difficolta|consegnati)
//   /spedizioni?id=<uuid>        one parcel: status, label, timeline
//   /spedizioni?vendita=<uuid>   a sale's shipping: buy its label or follow its parcel
import { useSearchParams } from "next/navigation";
import { Suspense, useEffect } from "react";
import { AppShell } from "@/components/app-shell";
import { ShipmentList } from "@/components/shipments/shipment-list";
import { SaleShippingView, ShipmentView } from "@/components/shipments/shipment-view";
import { Alert, Spinner } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import { useI18n } from "@/lib/i18n";

// The list's filter, remembered so "back" from a parcel returns to the same list.
let lastListSearch = "";

function Shipments() {
  const { t } = useI18n();
  const { user } = useAuth();
  const params = useSearchParams();
  const id = params.get("id");
  const saleId = params.get("vendita");
  const location = id ? `id:${id}` : saleId ? `sale:${saleId}` : "list";
  if (location === "list") lastListSearch = params.toString();
  const backHref = lastListSearch ? `/spedizioni?${lastListSearch}` : "/spedizioni";

  // A new view starts at the top. (A block: Chromium's scrollTo returns a promise, which React would take
  // for the effect's cleanup.)
  useEffect(() => {
    window.scrollTo({ top: 0 });
  }, [location]);

  if (!user?.family) return <Alert kind="info">{t("shipments.noFamily")}</Alert>;
  if (id) return <ShipmentView key={id} id={id} backHref={backHref} />;
  if (saleId) return <SaleShippingView key={saleId} saleId={saleId} backHref={backHref} />;
  return <ShipmentList />;
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
        <Shipments />
      </Suspense>
    </AppShell>
  );
}
