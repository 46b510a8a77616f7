"use client";
// On a listing's page: "Segna come venduto" for a published or reserved listing (a small form, then the
// new sale's page), or "Vedi la vendita" when the listing already has a sale that stands.
import { BadgeEuro, Receipt } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { Listing } from "@/components/listings/labels";
import { Alert, Button, buttonClasses } from "@/components/ui";
import { useFocusFirstError, useFormErrors, type FieldErrors } from "@/lib/form-errors";
import { useI18n } from "@/lib/i18n";
import { isClosed } from "./labels";
import { useRecordSale, useSalesOfListing } from "./queries";
import { SALE_FIELDS, SaleFields, initialValues, parseValues, type SaleField, type SaleValues } from "./sale-form";

const SELLABLE: readonly Listing["status"][] = ["published", "reserved"];

export function RecordSale({ listing }: { listing: Listing }) {
  const { t } = useI18n();
  const sales = useSalesOfListing(listing.id);
  const [open, setOpen] = useState(false);
  if (!sales.data) return null;
  const standing = sales.data.items.find((sale) => !isClosed(sale.status));
  if (standing) {
    return (
      <Link href={`/vendite?id=${standing.id}`} className={`${buttonClasses("secondary")} w-full sm:w-auto sm:self-start`}>
        <Receipt aria-hidden="true" className="h-5 w-5" />
        {t("sales.record.see")}
      </Link>
    );
  }
  if (!SELLABLE.includes(listing.status)) return null;
  if (!open) {
    return (
      <Button type="button" className="w-full sm:w-auto sm:self-start" onClick={() => setOpen(true)}>
        <BadgeEuro aria-hidden="true" className="h-5 w-5" />
        {t("sales.record.open")}
      </Button>
    );
  }
  return <RecordForm listing={listing} onCancel={() => setOpen(false)} />;
}

function RecordForm({ listing, onCancel }: { listing: Listing; onCancel: () => void }) {
  const { t, language } = useI18n();
  const router = useRouter();
  const record = useRecordSale();
  const errors = useFormErrors(SALE_FIELDS);
  const [values, setValues] = useState<SaleValues>(() => initialValues({ sale_price: listing.price }, language));
  const [local, setLocal] = useState<FieldErrors<SaleField>>({});
  const formRef = errors.formRef;
  useFocusFirstError(formRef, SALE_FIELDS, local);
  const shown = { ...errors.fields, ...local };

  return (
    <section aria-labelledby="record-sale" className="rounded-xl border border-teal-200 bg-teal-50/50 p-4">
      <h2 id="record-sale" className="text-lg font-semibold text-slate-900">
        {t("sales.record.title")}
      </h2>
      <p className="mb-3 text-sm text-slate-700">{t("sales.record.intro")}</p>
      <form
        ref={formRef}
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          errors.clear();
          const { parsed, errors: problems } = parseValues(values, t);
          setLocal(problems);
          if (!parsed) return;
          record.mutate(
            { listing_id: listing.id, ...parsed },
            {
              onError: errors.fail,
              onSuccess: (sale) => router.push(`/vendite?id=${sale.id}`),
            },
          );
        }}
        className="flex flex-col gap-3"
      >
        {errors.message || Object.keys(local).length ? <Alert>{errors.message ?? t("common.checkFields")}</Alert> : null}
        <SaleFields values={values} errors={shown} onChange={(changes) => setValues((current) => ({ ...current, ...changes }))} />
        <div className="flex flex-wrap gap-2">
          <Button type="submit" busy={record.isPending}>
            {t("sales.record.submit")}
          </Button>
          <Button type="button" variant="secondary" onClick={onCancel}>
            {t("common.cancel")}
          </Button>
        </div>
      </form>
    </section>
  );
}
