"use client";
// The shipping section of a sale's page: choose a carrier and buy the label, or follow a parcel sent
// with Vinted's own label; once shipped, the parcel's status and timeline (kept fresh by the live events,
// see ./live.ts).
import { PackagePlus, ScanLine } from "lucide-react";
import { useState } from "react";
import { Alert, Card, Loading } from "@/components/ui";
import type { Schemas } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { BuyLabel, SettingsLink } from "./buy-label";
import { FollowParcel } from "./follow-parcel";
import { ParcelDetails } from "./parcel";
import { useSaleShipment, useShippingAccount } from "./queries";

type Way = "buy" | "follow";
const CLOSED = new Set(["cancelled", "refunded"]);

export function SaleShipping({ sale }: { sale: Schemas["SaleRead"] }) {
  const { t } = useI18n();
  const shipment = useSaleShipment(sale.id);
  const [done, setDone] = useState<string | null>(null);

  let body;
  if (shipment.isPending) body = <Loading label={t("common.loading")} />;
  else if (shipment.isError) body = <Alert>{errorMessage(shipment.error, t)}</Alert>;
  else if (shipment.data)
    body = (
      <div className="flex flex-col gap-4">
        {/* The "just bought / now followed" note says what to do next: once the parcel moves, the status says it. */}
        {done && shipment.data.status === "ready" ? <Alert kind="success">{done}</Alert> : null}
        <ParcelDetails shipment={shipment.data} />
      </div>
    );
  else if (CLOSED.has(sale.status)) body = <p className="text-sm text-slate-700">{t("shipments.sale.closed")}</p>;
  else
    body = (
      <ShipChoice
        sale={sale}
        onShipped={(source) => setDone(t(source === "sendcloud" ? "shipments.buy.bought" : "shipments.follow.done"))}
      />
    );
  return (
    <Card title={t("shipments.sale.title")}>
      <div data-testid="sale-shipping">{body}</div>
    </Card>
  );
}

function ShipChoice({ sale, onShipped }: { sale: Schemas["SaleRead"]; onShipped: (source: "sendcloud" | "other") => void }) {
  const { t } = useI18n();
  const [way, setWay] = useState<Way>("buy");
  const ways = [
    ["buy", PackagePlus, t("shipments.sale.buyTab")],
    ["follow", ScanLine, t("shipments.sale.followTab")],
  ] as const;
  return (
    <div className="flex flex-col gap-4">
      <div role="group" aria-label={t("shipments.sale.choose")} className="grid gap-2 sm:grid-cols-2">
        {ways.map(([value, Icon, label]) => (
          <button
            key={value}
            type="button"
            aria-pressed={way === value}
            onClick={() => setWay(value)}
            className={`flex min-h-12 items-center gap-2 rounded-lg border px-3 py-2 text-left text-sm font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600 ${
              way === value ? "border-teal-700 bg-teal-700 text-white" : "border-slate-300 bg-white text-slate-800 hover:bg-slate-50"
            }`}
          >
            <Icon aria-hidden="true" className="h-5 w-5 shrink-0" />
            {label}
          </button>
        ))}
      </div>
      {way === "buy" ? (
        <BuyWithAccount sale={sale} onBought={() => onShipped("sendcloud")} />
      ) : (
        <FollowParcel sale={sale} onFollowed={() => onShipped("other")} />
      )}
    </div>
  );
}

/** The purchase form once the family's account can buy: its keys and its sender address are set. */
function BuyWithAccount({ sale, onBought }: { sale: Schemas["SaleRead"]; onBought: () => void }) {
  const { t } = useI18n();
  const account = useShippingAccount();
  if (account.isPending) return <Loading label={t("common.loading")} />;
  if (account.isError) return <Alert>{errorMessage(account.error, t)}</Alert>;
  if (!account.data.has_sendcloud_keys || !account.data.sender_address) {
    return (
      <Alert kind="info">
        <p>{t(account.data.has_sendcloud_keys ? "shipments.buy.noSender" : "shipments.buy.noKeys")}</p>
        <SettingsLink />
      </Alert>
    );
  }
  return <BuyLabel sale={sale} onBought={onBought} />;
}
