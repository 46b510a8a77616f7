"use client";
// A parcel sent with Vinted's own prepaid label: only its tracking code (and the carrier, if known), so
// the server follows it with 17TRACK.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Field } from "@/components/ui";
import { api, ApiError, unwrap, type Schemas } from "@/lib/api";
import { useFormErrors } from "@/lib/form-errors";
import { useI18n } from "@/lib/i18n";
import { shipmentKeys, storeShipment, type Shipment } from "./queries";

const FIELDS = ["tracking_code", "carrier"] as const;

export function FollowParcel({ sale, onFollowed }: { sale: Schemas["SaleRead"]; onFollowed: (shipment: Shipment) => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const errors = useFormErrors(FIELDS);
  const follow = useMutation({
    mutationFn: async (body: Schemas["ShipmentFollow"]) => unwrap(await api.POST("/api/v1/shipments/follow", { body })),
    onSuccess: (shipment) => {
      errors.clear();
      storeShipment(queryClient, shipment);
      onFollowed(shipment);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === "shipment_exists") {
        void queryClient.invalidateQueries({ queryKey: shipmentKeys.forSale(sale.id) });
      }
      errors.fail(error);
    },
  });
  return (
    <form
      ref={errors.formRef}
      noValidate
      aria-label={t("shipments.sale.followTab")}
      className="flex flex-col gap-4"
      onSubmit={(event) => {
        event.preventDefault();
        if (!errors.check(event.currentTarget)) return;
        const data = new FormData(event.currentTarget);
        const carrier = String(data.get("carrier") ?? "").trim();
        follow.mutate({
          sale_id: sale.id,
          tracking_code: String(data.get("tracking_code") ?? "").trim(),
          carrier: carrier || null,
        });
      }}
    >
      <p className="text-sm text-slate-700">{t("shipments.follow.intro")}</p>
      {errors.message ? <Alert>{errors.message}</Alert> : null}
      <Field
        label={t("shipments.follow.code")}
        name="tracking_code"
        required
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        hint={t("shipments.follow.codeHint")}
        error={errors.fields.tracking_code}
      />
      <Field
        label={t("shipments.follow.carrier")}
        name="carrier"
        autoComplete="off"
        hint={t("shipments.follow.carrierHint")}
        error={errors.fields.carrier}
      />
      <Button type="submit" busy={follow.isPending} className="w-full sm:w-auto sm:self-start">
        {t("shipments.follow.submit")}
      </Button>
    </form>
  );
}
