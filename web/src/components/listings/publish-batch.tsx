"use client";

import { useQuery } from "@tanstack/react-query";
import { Alert } from "@/components/ui";
import { api, unwrap, type Schemas } from "@/lib/api";
import { useI18n } from "@/lib/i18n";
import { useLiveStatus } from "@/lib/live";
import { listingKeys } from "./queries";

export type BulkPublishResult = Schemas["BulkPublishResult"];

// Only while the live-events socket is down: the batch's progress is checked now and then.
const FALLBACK_POLL_MS = 15_000;

/** A bulk publish: what was queued and refused, then its progress line (live events refresh it). */
export function PublishBatchPanel({ result }: { result: BulkPublishResult }) {
  const { t } = useI18n();
  const live = useLiveStatus();
  const progress = useQuery({
    queryKey: listingKeys.publishBatch(result.batch_id),
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/listings/publish-batches/{batch_id}", {
          params: { path: { batch_id: result.batch_id } },
        }),
      ),
    enabled: result.queued.length > 0,
    refetchInterval: (query) => {
      const counts = query.state.data?.counts ?? {};
      const running = (counts.queued ?? 0) + (counts.publishing ?? 0);
      return running > 0 && live !== "open" ? FALLBACK_POLL_MS : false;
    },
  });
  const counts = progress.data?.counts ?? {};
  return (
    <div className="flex flex-col gap-2" data-testid="publish-batch">
      {result.queued.length > 0 ? (
        <Alert kind="info">
          {t("publish.bulk.queued", { count: result.queued.length, minutes: result.estimated_minutes })}
          {progress.data ? (
            <span className="mt-1 block font-medium" role="status">
              {t("publish.bulk.progress", {
                published: counts.published ?? 0,
                running: (counts.queued ?? 0) + (counts.publishing ?? 0),
                failed: counts.failed ?? 0,
                total: progress.data.total,
              })}
            </span>
          ) : null}
        </Alert>
      ) : (
        <Alert>{t("publish.bulk.none")}</Alert>
      )}
      {result.refused.length > 0 ? (
        <Alert>
          <p className="font-medium">
            {t("publish.bulk.refused", { count: new Set(result.refused.map((r) => r.id)).size })}
          </p>
          <ul className="mt-1 list-disc pl-5">
            {result.refused.map((refusal) => (
              <li key={`${refusal.id}-${refusal.field}`}>
                <a href={`/annunci?id=${refusal.id}`} className="underline">
                  {refusal.message}
                </a>
              </li>
            ))}
          </ul>
        </Alert>
      ) : null}
    </div>
  );
}
