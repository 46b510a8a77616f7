"use client";
// Buying a sale's label through Sendcloud: the buyer's address, the parcel's weight (and size), the
// carriers with their prices (cheapest first, asked again when the weight or the country changes).
// Buying is idempotent per sale on the server: "Riprova" after a 503 resends the very same request, which
// finds the label if the first attempt bought it, and never buys a second one.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useMemo, useState } from "react";
import { Alert, Button, Field, FieldNotes, Loading, buttonClasses } from "@/components/ui";
import { api, ApiError, unwrap, type Schemas } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { formatEuro } from "@/lib/format";
import { useFormErrors } from "@/lib/form-errors";
import { useI18n } from "@/lib/i18n";
import { AddressFields, addressNames, readAddress } from "./address-fields";
import { shipmentKeys, storeShipment, useCarriers, type Shipment } from "./queries";

type Body = Schemas["ShipmentCreate"];
const DIMENSIONS = ["length_cm", "width_cm", "height_cm"] as const;
const FIELDS = [
  ...addressNames("to_address"),
  "weight_kg",
  "dimensions.length_cm",
  "dimensions.width_cm",
  "dimensions.height_cm",
  "shipping_option_code",
] as const;
type Name = (typeof FIELDS)[number];
// The 409s an admin settles in Impostazioni → Spedizioni.
const SETTINGS_CODES = new Set([
  "sendcloud_keys_missing",
  "sendcloud_keys_rejected",
  "sendcloud_account_incomplete",
  "sender_address_missing",
]);
export const SETTINGS_HREF = "/impostazioni#spedizioni";
const MAX_KG = 70;

/** "0,8" → "0.800"; null when it is not a weight Sendcloud takes. */
export function parseWeight(text: string): string | null {
  const value = Number(text.trim().replace(",", "."));
  if (!text.trim() || !Number.isFinite(value) || value <= 0 || value > MAX_KG) return null;
  return value.toFixed(3);
}

function parseCentimetres(text: string): string | null {
  const value = Number(text.trim().replace(",", "."));
  if (!Number.isFinite(value) || value <= 0 || value > 300) return null;
  return value.toFixed(1);
}

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

function invalid(field: Name, message: string): ApiError {
  return new ApiError(422, "invalid", message, null, [{ field, message }]);
}

export function SettingsLink() {
  const { t } = useI18n();
  return (
    <Link href={SETTINGS_HREF} className={`${buttonClasses("secondary")} mt-2`}>
      {t("shipments.buy.toSettings")}
    </Link>
  );
}

/** What a failed purchase says, and what can be done about it (retry the same request, or the settings). */
function Failure({ error, onRetry, retrying }: { error: unknown; onRetry: () => void; retrying: boolean }) {
  const { t } = useI18n();
  const message = errorMessage(error, t);
  if (error instanceof ApiError && error.status === 503) {
    return (
      <Alert>
        <p>{message}</p>
        <p className="mt-1">{t("shipments.buy.busy")}</p>
        <Button type="button" className="mt-2" onClick={onRetry} busy={retrying}>
          {t("common.retry")}
        </Button>
      </Alert>
    );
  }
  if (error instanceof ApiError && error.code === "label_in_progress") {
    return (
      <Alert>
        <p>{t("shipments.buy.inProgress")}</p>
        <Button type="button" className="mt-2" onClick={onRetry} busy={retrying}>
          {t("common.retry")}
        </Button>
      </Alert>
    );
  }
  if (error instanceof ApiError && SETTINGS_CODES.has(error.code)) {
    return (
      <Alert>
        <p>{message}</p>
        <p className="mt-1">{t("shipments.buy.keysProblem")}</p>
        <SettingsLink />
      </Alert>
    );
  }
  return <Alert>{message}</Alert>;
}

export function BuyLabel({ sale, onBought }: { sale: Schemas["SaleRead"]; onBought: (shipment: Shipment) => void }) {
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const errors = useFormErrors(FIELDS);
  const [country, setCountry] = useState("IT");
  const [weightText, setWeightText] = useState("");
  const [chosen, setChosen] = useState<string | null>(null);
  // The request that failed with a 503 or a 409 "in progress": "Riprova" sends it again, unchanged.
  const [failed, setFailed] = useState<{ error: unknown; body: Body } | null>(null);

  const weight = useDebounced(parseWeight(weightText), 400);
  const carriers = useCarriers(country, weight ?? "", weight !== null);
  const options = useMemo(() => carriers.data ?? [], [carriers.data]);
  const option = options.find((item) => item.code === chosen) ?? null;

  // A choice the new weight or country no longer offers is no choice.
  useEffect(() => {
    if (chosen && carriers.data && !carriers.data.some((item) => item.code === chosen)) setChosen(null);
  }, [carriers.data, chosen]);

  const buy = useMutation({
    mutationFn: async (body: Body) => {
      const result = await api.POST("/api/v1/shipments", { body });
      return unwrap(result);
    },
    onMutate: () => setFailed(null),
    onSuccess: (shipment) => {
      errors.clear();
      storeShipment(queryClient, shipment);
      onBought(shipment);
    },
    onError: (error, body) => {
      if (error instanceof ApiError && error.status === 422) {
        errors.fail(error);
        return;
      }
      if (error instanceof ApiError && error.code === "shipment_exists") {
        void queryClient.invalidateQueries({ queryKey: shipmentKeys.forSale(sale.id) });
      }
      errors.clear();
      setFailed({ error, body });
    },
  });

  const submit = (form: HTMLFormElement) => {
    if (!errors.check(form)) return;
    const parsedWeight = parseWeight(weightText);
    if (parsedWeight === null) return errors.fail(invalid("weight_kg", t("shipments.buy.weightInvalid")));
    const data = new FormData(form);
    const sizes = DIMENSIONS.map((part) => String(data.get(`dimensions.${part}`) ?? "").trim());
    let dimensions: Body["dimensions"] = null;
    if (sizes.some(Boolean)) {
      const parsed = sizes.map(parseCentimetres);
      const wrong = parsed.findIndex((value) => value === null);
      if (wrong >= 0) return errors.fail(invalid(`dimensions.${DIMENSIONS[wrong]}`, t("common.required")));
      dimensions = { length_cm: parsed[0]!, width_cm: parsed[1]!, height_cm: parsed[2]! };
    }
    if (!option) return errors.fail(invalid("shipping_option_code", t("shipments.buy.optionRequired")));
    buy.mutate({
      sale_id: sale.id,
      shipping_option_code: option.code,
      weight_kg: parsedWeight,
      dimensions,
      to_address: readAddress(form, "to_address"),
    });
  };

  const optionsError = errors.fields.shipping_option_code;
  return (
    <form
      ref={errors.formRef}
      noValidate
      className="flex flex-col gap-6"
      aria-label={t("shipments.sale.buyTab")}
      onSubmit={(event) => {
        event.preventDefault();
        submit(event.currentTarget);
      }}
    >
      {errors.message ? <Alert>{errors.message}</Alert> : null}
      <fieldset className="flex flex-col gap-3">
        <legend className="mb-2 text-base font-semibold text-slate-900">{t("shipments.buy.address")}</legend>
        <AddressFields
          prefix="to_address"
          errors={errors.fields}
          country={country}
          onCountry={setCountry}
        />
      </fieldset>

      <fieldset className="flex flex-col gap-3">
        <legend className="mb-2 text-base font-semibold text-slate-900">{t("shipments.buy.parcel")}</legend>
        <Field
          label={t("shipments.buy.weight")}
          name="weight_kg"
          inputMode="decimal"
          autoComplete="off"
          required
          value={weightText}
          onChange={(event) => setWeightText(event.target.value)}
          hint={t("shipments.buy.weightHint")}
          error={errors.fields.weight_kg}
          className="sm:max-w-48"
        />
        <details className="rounded-lg border border-slate-200 p-3">
          <summary className="min-h-11 cursor-pointer py-2 text-sm font-medium text-slate-800">
            {t("shipments.buy.dimensions")}
          </summary>
          <div className="mt-2 grid gap-3 sm:grid-cols-3">
            {(
              [
                ["length_cm", "shipments.buy.length"],
                ["width_cm", "shipments.buy.width"],
                ["height_cm", "shipments.buy.height"],
              ] as const
            ).map(([part, label]) => (
              <Field
                key={part}
                label={t(label)}
                name={`dimensions.${part}`}
                inputMode="decimal"
                autoComplete="off"
                error={errors.fields[`dimensions.${part}`]}
              />
            ))}
          </div>
        </details>
      </fieldset>

      <fieldset
        className="flex flex-col gap-2"
        aria-describedby={`options-hint${optionsError ? " options-error" : ""}`}
        aria-busy={carriers.isFetching || undefined}
      >
        <legend className="mb-1 text-base font-semibold text-slate-900">{t("shipments.buy.options")}</legend>
        <p id="options-hint" className="text-sm text-slate-600">
          {t("shipments.buy.optionsHint")}
        </p>
        {weight === null ? (
          <p className="text-sm text-slate-700">{t("shipments.buy.optionsWaiting")}</p>
        ) : carriers.isPending ? (
          <Loading label={t("shipments.buy.optionsLoading")} />
        ) : carriers.isError ? (
          <Failure error={carriers.error} onRetry={() => void carriers.refetch()} retrying={carriers.isFetching} />
        ) : options.length === 0 ? (
          <p className="text-sm text-slate-700">{t("shipments.buy.optionsNone")}</p>
        ) : (
          <ul className={`flex flex-col gap-2 ${carriers.isPlaceholderData ? "opacity-60" : ""}`}>
            {options.map((item) => (
              <li key={item.code}>
                <label
                  className={`flex min-h-11 cursor-pointer items-center gap-3 rounded-lg border px-3 py-2 ${
                    chosen === item.code ? "border-teal-600 bg-teal-50" : "border-slate-300 bg-white hover:bg-slate-50"
                  }`}
                >
                  <input
                    type="radio"
                    name="shipping_option_code"
                    value={item.code}
                    checked={chosen === item.code}
                    onChange={() => setChosen(item.code)}
                    className="size-5 accent-teal-700"
                  />
                  <span className="flex min-w-0 flex-1 flex-wrap items-baseline justify-between gap-x-3">
                    <span className="min-w-0 font-medium text-slate-900">
                      {/* "BRT Standard" already says BRT; a service's own name may not. */}
                      {item.name.startsWith(item.carrier_name) ? item.name : `${item.carrier_name} · ${item.name}`}
                    </span>
                    <span className="font-semibold text-slate-900">
                      {item.price != null ? formatEuro(item.price, language) : t("shipments.buy.noPrice")}
                    </span>
                  </span>
                </label>
              </li>
            ))}
          </ul>
        )}
        <FieldNotes id="options" error={optionsError} />
      </fieldset>

      {failed ? (
        <Failure error={failed.error} onRetry={() => buy.mutate(failed.body)} retrying={buy.isPending} />
      ) : null}
      <div className="flex flex-col gap-2">
        {option?.price != null ? (
          <p className="text-sm text-slate-700">{t("shipments.buy.price", { price: formatEuro(option.price, language) })}</p>
        ) : null}
        <Button type="submit" busy={buy.isPending} className="w-full sm:w-auto sm:self-start">
          {t("shipments.buy.submit")}
        </Button>
      </div>
    </form>
  );
}
