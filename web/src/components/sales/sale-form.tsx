"use client";
// The fields of a sale, shared by "Segna come venduto" (a new sale) and the sale's own edit form: price,
// buyer, day, Vinted's fees, the shipping the seller paid. Amounts are typed the Italian way ("12,50").
import { Field } from "@/components/ui";
import { moneyInput, parseMoney } from "@/components/listings/labels";
import type { FieldErrors } from "@/lib/form-errors";
import type { Language } from "@/lib/i18n";
import { useI18n } from "@/lib/i18n";
import { romeDay, soldAtOf } from "./labels";

export const SALE_FIELDS = ["sale_price", "buyer_username", "sold_at", "vinted_fees", "shipping_cost"] as const;
export type SaleField = (typeof SALE_FIELDS)[number];

export interface SaleValues {
  sale_price: string;
  buyer_username: string;
  sold_at: string; // YYYY-MM-DD, Italian time
  vinted_fees: string;
  shipping_cost: string;
}

export function initialValues(
  source: { sale_price?: string | null; buyer_username?: string | null; sold_at?: string | null; vinted_fees?: string | null; shipping_cost?: string | null },
  language: Language,
): SaleValues {
  return {
    sale_price: moneyInput(source.sale_price, language),
    buyer_username: source.buyer_username ?? "",
    sold_at: source.sold_at ? romeDay(source.sold_at) : romeDay(),
    vinted_fees: moneyInput(source.vinted_fees, language),
    shipping_cost: moneyInput(source.shipping_cost, language),
  };
}

export interface ParsedSale {
  sale_price: string;
  buyer_username: string | null;
  sold_at: string;
  vinted_fees: string;
  shipping_cost: string;
}

type Translate = ReturnType<typeof useI18n>["t"];

/** The values as the API takes them, or the messages under the fields that are not right yet. */
export function parseValues(values: SaleValues, t: Translate): { parsed?: ParsedSale; errors: FieldErrors<SaleField> } {
  const errors: FieldErrors<SaleField> = {};
  const price = parseMoney(values.sale_price);
  if (price === null) errors.sale_price = t("common.required");
  else if (price === undefined) errors.sale_price = t("sales.form.invalidMoney");
  const fees = parseMoney(values.vinted_fees);
  if (fees === undefined) errors.vinted_fees = t("sales.form.invalidMoney");
  const shipping = parseMoney(values.shipping_cost);
  if (shipping === undefined) errors.shipping_cost = t("sales.form.invalidMoney");
  if (!values.sold_at) errors.sold_at = t("common.required");
  else if (values.sold_at > romeDay()) errors.sold_at = t("sales.form.future");
  if (Object.keys(errors).length > 0 || !price) return { errors };
  return {
    errors,
    parsed: {
      sale_price: price,
      buyer_username: values.buyer_username.trim() || null,
      sold_at: soldAtOf(values.sold_at),
      vinted_fees: fees ?? "0.00",
      shipping_cost: shipping ?? "0.00",
    },
  };
}

export function SaleFields({
  values,
  errors,
  onChange,
}: {
  values: SaleValues;
  errors: FieldErrors<SaleField>;
  onChange: (changes: Partial<SaleValues>) => void;
}) {
  const { t } = useI18n();
  const money = { inputMode: "decimal" as const, autoComplete: "off", placeholder: "0,00" };
  return (
    <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
      <Field
        name="sale_price"
        label={t("sales.form.price")}
        value={values.sale_price}
        onChange={(event) => onChange({ sale_price: event.currentTarget.value })}
        error={errors.sale_price}
        required
        {...money}
      />
      <Field
        name="buyer_username"
        label={t("sales.form.buyer")}
        hint={t("sales.form.buyerHint")}
        value={values.buyer_username}
        onChange={(event) => onChange({ buyer_username: event.currentTarget.value })}
        error={errors.buyer_username}
        maxLength={120}
        autoComplete="off"
        autoCapitalize="none"
      />
      <Field
        name="sold_at"
        type="date"
        label={t("sales.form.date")}
        value={values.sold_at}
        max={romeDay()}
        onChange={(event) => onChange({ sold_at: event.currentTarget.value })}
        error={errors.sold_at}
        required
      />
      <Field
        name="vinted_fees"
        label={t("sales.form.fees")}
        hint={t("sales.form.feesHint")}
        value={values.vinted_fees}
        onChange={(event) => onChange({ vinted_fees: event.currentTarget.value })}
        error={errors.vinted_fees}
        {...money}
      />
      <Field
        name="shipping_cost"
        label={t("sales.form.shipping")}
        hint={t("sales.form.shippingHint")}
        value={values.shipping_cost}
        onChange={(event) => onChange({ shipping_cost: event.currentTarget.value })}
        error={errors.shipping_cost}
        className="sm:col-span-2"
        {...money}
      />
    </div>
  );
}
