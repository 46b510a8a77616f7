"use client";

// "Aggiorna ora" (family admin): asks the scraper for the family's searches, and says what happened —
// queued, already under way, or how many minutes to wait (Retry-After) while Vinted's gate cools down.
import { RefreshCw } from "lucide-react";
import { Alert, Button } from "@/components/ui";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { refreshRefusal } from "./labels";
import { useRefreshTrends } from "./queries";

export function RefreshButton() {
  const { t } = useI18n();
  const refresh = useRefreshTrends();
  const answer = refresh.data;
  return (
    <div className="flex flex-col gap-3">
      <Button
        type="button"
        variant="secondary"
        className="self-start"
        busy={refresh.isPending}
        onClick={() => refresh.mutate()}
      >
        {refresh.isPending ? null : <RefreshCw aria-hidden="true" className="h-5 w-5" />}
        {t("trends.refresh")}
      </Button>
      {answer ? (
        <Alert kind="success">
          {answer.queued
            ? t(answer.searches === 1 ? "trends.refresh.queued.one" : "trends.refresh.queued.many", {
                searches: answer.searches,
              }) : t("trends.refresh.already")}
        </Alert>
      ) : null}
      {refresh.isError ? (
        <Alert kind={refreshRefusal(refresh.error, t) ? "info" : "error"}>
          {refreshRefusal(refresh.error, t) ?? errorMessage(refresh.error, t)}
        </Alert>
      ) : null}
    </div>
  );
}
