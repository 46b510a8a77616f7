"use client";

// What happened in the family, newest first; "Carica altri" asks for the page before the last one shown.
import { Link2, Package, PlusCircle, Receipt, RefreshCw, Send, User, UserCog, type LucideIcon } from "lucide-react";
import Link from "next/link";
import { Alert, Button, Loading } from "@/components/ui";
import { errorMessage } from "@/lib/errors";
import { formatDate } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import { useActivity, type ActivityItem } from "./queries";

const ICONS: Record<ActivityItem["kind"], LucideIcon> = {
  listing_created: PlusCircle,
  listing_published: Send,
  sale: Receipt,
  parcel: Package,
  member: User,
  account: UserCog,
  vinted: Link2,
  other: RefreshCw,
};

function Item({ item }: { item: ActivityItem }) {
  const { language } = useI18n();
  const Icon = ICONS[item.kind] ?? RefreshCw;
  return (
    <li className="flex gap-3 py-2" data-testid="activity-item">
      <Icon aria-hidden="true" className="mt-0.5 h-5 w-5 shrink-0 text-slate-500" />
      <div className="min-w-0 text-sm">
        {item.link ? (
          <Link prefetch={false}
            href={item.link}
            className="font-medium text-teal-800 underline-offset-2 hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600"
          >
            {item.text}
          </Link>
        ) : (
          <p className="font-medium text-slate-900">{item.text}</p>
        )}
        <p className="text-slate-600">
          <time dateTime={item.at}>{formatDate(item.at, language, true)}</time>
          {item.member ? ` · ${item.member}` : ""}
        </p>
      </div>
    </li>
  );
}

export function ActivityFeed() {
  const { t } = useI18n();
  const activity = useActivity();
  const items = activity.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section
      aria-labelledby="dash-activity"
      className="flex min-w-0 flex-col gap-2 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
      data-testid="dashboard-activity"
    >
      <h2 id="dash-activity" className="text-lg font-semibold text-slate-900">
        {t("dashboard.activity.title")}
      </h2>
      {activity.isPending ? <Loading label={t("dashboard.activity.loading")} /> : null}
      {activity.isError && !items.length ? (
        <Alert>
          {t("dashboard.activity.error")} {errorMessage(activity.error, t)}
        </Alert>
      ) : null}
      {activity.isSuccess && !items.length ? (
        <p className="text-sm text-slate-600">{t("dashboard.activity.empty")}</p>
      ) : null}
      {items.length ? (
        <ol aria-labelledby="dash-activity" className="flex flex-col divide-y divide-slate-100">
          {items.map((item) => (
            <Item key={item.id} item={item} />
          ))}
        </ol>
      ) : null}
      {activity.isFetchNextPageError ? (
        <Alert>
          {t("dashboard.activity.error")} {errorMessage(activity.error, t)}
        </Alert>
      ) : null}
      {activity.hasNextPage ? (
        <Button
          type="button"
          variant="secondary"
          className="self-start"
          busy={activity.isFetchingNextPage}
          onClick={() => void activity.fetchNextPage()}
        >
          {t("dashboard.activity.more")}
        </Button>
      ) : null}
    </section>
  );
}
