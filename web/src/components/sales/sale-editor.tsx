"use client";
// Correct a sale: price, buyer, day, fees, shipping paid. Only what changed is sent (PATCH); the server's
// 422 messages go under their fields.
import { useState } from "react";
import { Alert, Button } from "@/components/ui";
import { Panel } from "./panel";
import type { Schemas } from "@/lib/api";
import { useFocusFirstError, useFormErrors, type FieldErrors } from "@/lib/form-errors";
import { useI18n } from "@/lib/i18n";
import type { Sale } from "./labels";
import { useUpdateSale } from "./queries";
import { SALE_FIELDS, SaleFields, initialValues, parseValues, type SaleField, type SaleValues } from "./sale-form";

export function SaleEditor({ sale, onDone }: { sale: Sale; onDone: (saved: boolean) => void }) {
  const { t, language } = useI18n();
  const update = useUpdateSale(sale.id);
  const errors = useFormErrors(SALE_FIELDS);
  const [start] = useState<SaleValues>(() => initialValues(sale, language));
  const [values, setValues] = useState<SaleValues>(start);
  const [local, setLocal] = useState<FieldErrors<SaleField>>({});
  useFocusFirstError(errors.formRef, SALE_FIELDS, local);
  const shown = { ...errors.fields, ...local };

  return (
    <Panel title={t("sales.edit.title")}>
      <form
        ref={errors.formRef}
        noValidate
        className="flex flex-col gap-3"
        onSubmit={(event) => {
          event.preventDefault();
          errors.clear();
          const { parsed, errors: problems } = parseValues(values, t);
          setLocal(problems);
          if (!parsed) return;
          const body: Schemas["SaleUpdate"] = {};
          const initial = parseValues(start, t).parsed;
          if (parsed.sale_price !== initial?.sale_price) body.sale_price = parsed.sale_price;
          if (parsed.buyer_username !== (sale.buyer_username ?? null)) body.buyer_username = parsed.buyer_username;
          if (values.sold_at !== start.sold_at) body.sold_at = parsed.sold_at;
          if (parsed.vinted_fees !== Number(sale.vinted_fees).toFixed(2)) body.vinted_fees = parsed.vinted_fees;
          if (parsed.shipping_cost !== Number(sale.shipping_cost).toFixed(2)) body.shipping_cost = parsed.shipping_cost;
          if (Object.keys(body).length === 0) {
            onDone(false);
            return;
          }
          update.mutate(body, { onError: errors.fail, onSuccess: () => onDone(true) });
        }}
      >
        {errors.message || Object.keys(local).length ? <Alert>{errors.message ?? t("common.checkFields")}</Alert> : null}
        <SaleFields values={values} errors={shown} onChange={(changes) => setValues((current) => ({ ...current, ...changes }))} />
        <div className="flex flex-wrap gap-2">
          <Button type="submit" busy={update.isPending}>
            {t("common.save")}
          </Button>
          <Button type="button" variant="secondary" onClick={() => onDone(false)}>
            {t("common.cancel")}
          </Button>
        </div>
      </form>
    </Panel>
  );
}
