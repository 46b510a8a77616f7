"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert, Button, Field, Select } from "@/components/ui";
import { api, unwrap, type Schemas } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { ConfirmPanel } from "./confirm";
import { parseMoney, statusLabel, type ListingStatus } from "./labels";
import type { BulkPublishResult } from "./publish-batch";
import { listingKeys } from "./queries";

type Mode = "status" | "price" | "delete" | null;

/**
 * Change status (to one of the server's `statuses`) or price of the selected listings, or delete them
 * (after a confirmation).
 */
export function BulkBar({
  ids,
  statuses,
  onClear,
  onDone,
  onPublished,
}: {
  ids: string[];
  statuses: readonly ListingStatus[];
  onClear: () => void;
  onDone: (message: string) => void;
  onPublished: (result: BulkPublishResult) => void;
}) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<Mode>(null);
  const [status, setStatus] = useState<ListingStatus>("ready");
  const [price, setPrice] = useState("");
  const [priceError, setPriceError] = useState<string | undefined>();
  const bulk = useMutation({
    mutationFn: async (body: Schemas["BulkRequest"]) => unwrap(await api.POST("/api/v1/listings/bulk", { body })),
    onSuccess: (result) => {
      void queryClient.invalidateQueries({ queryKey: listingKeys.all });
      onDone(
        result.action === "delete"
          ? result.affected === 1
            ? t("listings.bulk.deleted.one")
            : t("listings.bulk.deleted", { count: result.affected })
          : result.affected === 1
            ? t("listings.bulk.done.one")
            : t("listings.bulk.done", { count: result.affected }),
      );
      setMode(null);
      setPrice("");
      onClear();
    },
  });

  // Publishing on Vinted: queued on the server, spread within Vinted's pace; the list shows the progress.
  const publish = useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/listings/publish", { body: { ids } })),
    onSuccess: (result) => {
      void queryClient.invalidateQueries({ queryKey: listingKeys.all });
      onPublished(result);
      onClear();
    },
  });

  const choose = (next: Mode) => {
    bulk.reset();
    publish.reset();
    setPriceError(undefined);
    setMode(next);
  };

  const applyStatus = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    bulk.mutate({ ids, action: "set_status", status });
  };
  const applyPrice = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = parseMoney(price);
    if (!parsed) {
      setPriceError(t("listings.invalidMoney"));
      return;
    }
    setPriceError(undefined);
    bulk.mutate({ ids, action: "set_price", price: parsed });
  };

  const count = ids.length;
  return (
    <section
      aria-label={t("listings.bulk.label")}
      className="sticky bottom-0 z-10 -mx-4 mt-4 flex flex-col gap-3 border-t border-slate-200 bg-white px-4 pt-3 pb-[max(0.75rem,env(safe-area-inset-bottom))] shadow-[0_-4px_12px_rgba(15,23,42,0.08)] sm:mx-0 sm:rounded-xl sm:border"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="font-semibold text-slate-900" role="status">
          {count === 1 ? t("listings.selected.one") : t("listings.selected.many", { count })}
        </p>
        <Button type="button" variant="ghost" onClick={onClear}>
          {t("listings.bulk.clear")}
        </Button>
      </div>

      {mode === null ? (
        <div className="grid grid-cols-3 gap-2 sm:flex sm:flex-wrap">
          <Button type="button" variant="secondary" className="px-2 text-sm sm:px-4 sm:text-base" onClick={() => choose("status")}>
            {t("listings.bulk.status")}
          </Button>
          <Button type="button" variant="secondary" className="px-2 text-sm sm:px-4 sm:text-base" onClick={() => choose("price")}>
            {t("listings.bulk.price")}
          </Button>
          <Button type="button" variant="danger" className="px-2 text-sm sm:px-4 sm:text-base" onClick={() => choose("delete")}>
            {t("listings.bulk.delete")}
          </Button>
          <Button
            type="button"
            className="col-span-3 px-2 text-sm sm:px-4 sm:text-base"
            onClick={() => publish.mutate()}
            busy={publish.isPending}
          >
            {t("publish.bulk")}
          </Button>
        </div>
      ) : null}

      {mode === "status" ? (
        <form onSubmit={applyStatus} className="flex flex-col gap-2 sm:flex-row sm:items-end">
          <Select
            label={t("listings.bulk.newStatus")}
            value={status}
            onChange={(event) => setStatus(event.currentTarget.value as ListingStatus)}
            className="sm:w-56"
          >
            {statuses.map((value) => (
              <option key={value} value={value}>
                {t(statusLabel(value))}
              </option>
            ))}
          </Select>
          <ApplyOrCancel busy={bulk.isPending} onCancel={() => choose(null)} />
        </form>
      ) : null}

      {mode === "price" ? (
        <form onSubmit={applyPrice} className="flex flex-col gap-2 sm:flex-row sm:items-start" noValidate>
          <Field
            label={t("listings.bulk.newPrice")}
            value={price}
            onChange={(event) => setPrice(event.currentTarget.value)}
            error={priceError}
            inputMode="decimal"
            autoComplete="off"
            autoFocus
            className="sm:w-56"
          />
          <ApplyOrCancel busy={bulk.isPending} onCancel={() => choose(null)} className="sm:mt-6" />
        </form>
      ) : null}

      {mode === "delete" ? (
        <ConfirmPanel
          message={count === 1 ? t("listings.bulk.confirmDelete.one") : t("listings.bulk.confirmDelete", { count })}
          confirmLabel={t("listings.bulk.confirmDeleteButton")}
          busy={bulk.isPending}
          onConfirm={() => bulk.mutate({ ids, action: "delete" })}
          onCancel={() => choose(null)}
        />
      ) : null}

      {bulk.isError ? <Alert>{errorMessage(bulk.error, t)}</Alert> : null}
      {publish.isError ? <Alert>{errorMessage(publish.error, t)}</Alert> : null}
    </section>
  );
}

function ApplyOrCancel({ busy, onCancel, className = "" }: { busy: boolean; onCancel: () => void; className?: string }) {
  const { t } = useI18n();
  return (
    <div className={`flex gap-2 ${className}`}>
      <Button type="submit" busy={busy} className="flex-1">
        {t("listings.bulk.apply")}
      </Button>
      <Button type="button" variant="secondary" onClick={onCancel} className="flex-1">
        {t("common.cancel")}
      </Button>
    </div>
  );
}
