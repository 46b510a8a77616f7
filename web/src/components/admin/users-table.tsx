"use client";

// Every account of the installation, for its administrator: a search on username and e-mail, sortable
// columns, pages of 25. A table from md up; on a phone each account is a card.
import { ArrowDown, ArrowUp, ChevronLeft, ChevronRight, Search } from "lucide-react";
import { useEffect, useState } from "react";
import { Alert, Button, Field, Loading } from "@/components/ui";
import { errorMessage } from "@/lib/errors";
import { formatDate } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { USERS_PAGE_SIZE, useInstanceUsers, type InstanceUser, type UserSort } from "./queries";

type Translate = ReturnType<typeof useI18n>["t"];
type Column = "username" | "email" | "family" | "created_at" | "last_activity";

const SEARCH_DELAY_MS = 300;

function roleOf(user: InstanceUser, t: Translate): string {
  if (user.is_instance_admin && !user.family) return t("admin.users.role.instance");
  if (!user.role) return "—";
  return t(`admin.users.role.${user.role}` as MessageKey);
}

function vintedOf(user: InstanceUser, t: Translate): string {
  return t(`admin.users.vinted.${user.vinted_status}` as MessageKey);
}

function SortHeader({
  column,
  label,
  sort,
  onSort,
  className = "",
}: {
  column: Column;
  label: string;
  sort: UserSort;
  onSort: (sort: UserSort) => void;
  className?: string;
}) {
  const { t } = useI18n();
  const active = sort === column || sort === `-${column}`;
  const descending = sort === `-${column}`;
  const Arrow = descending ? ArrowDown : ArrowUp;
  return (
    <th scope="col" className={`py-1 pr-3 ${className}`} aria-sort={active ? (descending ? "descending" : "ascending") : undefined}>
      <button
        type="button"
        title={t("admin.users.sortBy", { column: label })}
        onClick={() => onSort((active && !descending ? `-${column}` : column) as UserSort)}
        className="inline-flex min-h-11 items-center gap-1 uppercase tracking-wide hover:text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600"
      >
        {label}
        {active ? <Arrow aria-hidden="true" className="h-3 w-3" /> : null}
      </button>
    </th>
  );
}

function StatusBadges({ user }: { user: InstanceUser }) {
  const { t } = useI18n();
  return (
    <span className="flex flex-wrap gap-1">
      {user.is_instance_admin ? (
        <span className="rounded-full bg-teal-50 px-2 py-0.5 text-xs font-medium text-teal-900">
          {t("admin.users.instanceAdmin")}
        </span>
      ) : null}
      {user.is_active ? null : (
        <span className="rounded-full bg-slate-200 px-2 py-0.5 text-xs font-medium text-slate-800">
          {t("admin.users.inactive")}
        </span>
      )}
    </span>
  );
}

function UserCard({ user }: { user: InstanceUser }) {
  const { t, language } = useI18n();
  return (
    <li className="flex flex-col gap-1 rounded-lg border border-slate-200 p-3" data-testid="admin-user-card">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span className="font-semibold text-slate-900">{user.username}</span>
        <StatusBadges user={user} />
      </div>
      <span className="break-all text-sm text-slate-700">{user.email}</span>
      <dl className="grid grid-cols-[max-content_1fr] gap-x-3 gap-y-0.5 text-sm">
        <dt className="text-slate-600">{t("admin.users.col.family")}</dt>
        <dd className="text-slate-900">
          {user.family?.name ?? t("admin.users.noFamily")} · {roleOf(user, t)}
        </dd>
        <dt className="text-slate-600">{t("admin.users.col.lastActivity")}</dt>
        <dd className="text-slate-900">
          {user.last_activity_at ? formatDate(user.last_activity_at, language, true) : t("admin.users.never")}
        </dd>
        <dt className="text-slate-600">{t("admin.users.col.vinted")}</dt>
        <dd className="text-slate-900">{vintedOf(user, t)}</dd>
        <dt className="text-slate-600">{t("admin.users.col.created")}</dt>
        <dd className="text-slate-900">{formatDate(user.created_at, language)}</dd>
      </dl>
    </li>
  );
}

export function UsersTable() {
  const { t, language } = useI18n();
  const [typed, setTyped] = useState("");
  const [search, setSearch] = useState("");
  const [sort, setSort] = useState<UserSort>("username");
  const [offset, setOffset] = useState(0);

  useEffect(() => {
    const timer = setTimeout(() => {
      setSearch(typed.trim());
      setOffset(0);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed]);

  const users = useInstanceUsers({ q: search || undefined, sort, limit: USERS_PAGE_SIZE, offset });
  const page = users.data;
  const onSort = (next: UserSort) => {
    setSort(next);
    setOffset(0);
  };
  const last = page ? Math.min(page.offset + page.items.length, page.total) : 0;

  return (
    <section aria-labelledby="admin-users" className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
      <h2 id="admin-users" className="mb-1 text-lg font-semibold text-slate-900">
        {t("admin.users")}
      </h2>
      <p className="mb-4 text-sm text-slate-600">
        {t("admin.users.intro", { minutes: page ? Math.round(page.activity_window_minutes) : 15 })}
      </p>
      <div className="mb-4 flex items-end gap-2">
        <Search aria-hidden="true" className="mb-3 h-5 w-5 shrink-0 text-slate-500" />
        <Field
          label={t("admin.users.search")}
          type="search"
          value={typed}
          maxLength={100}
          onChange={(event) => setTyped(event.target.value)}
          className="w-full max-w-md"
        />
      </div>
      {users.isPending ? <Loading label={t("admin.users.loading")} /> : null}
      {users.isError ? <Alert>{errorMessage(users.error, t)}</Alert> : null}
      {page ? (
        page.items.length === 0 ? (
          <p className="text-sm text-slate-600">{search ? t("admin.users.noMatch") : t("admin.users.none")}</p>
        ) : (
          <>
            <ul className="flex flex-col gap-2 md:hidden">
              {page.items.map((user) => (
                <UserCard key={user.id} user={user} />
              ))}
            </ul>
            <div className="hidden md:block">
              <table className="w-full table-fixed text-left text-sm">
                <caption className="sr-only">{t("admin.users")}</caption>
                <thead className="text-xs text-slate-600">
                  <tr>
                    <SortHeader column="username" label={t("admin.users.col.username")} sort={sort} onSort={onSort} />
                    <SortHeader column="email" label={t("admin.users.col.email")} sort={sort} onSort={onSort} className="w-1/4" />
                    <SortHeader column="family" label={t("admin.users.col.family")} sort={sort} onSort={onSort} />
                    <th scope="col" className="w-28 py-1 pr-3 uppercase tracking-wide">{t("admin.users.col.vinted")}</th>
                    <SortHeader column="last_activity" label={t("admin.users.col.lastActivity")} sort={sort} onSort={onSort} className="w-40" />
                    <SortHeader column="created_at" label={t("admin.users.col.created")} sort={sort} onSort={onSort} className="w-32" />
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((user) => (
                    <tr key={user.id} className="border-t border-slate-100 align-top" data-testid="admin-user-row">
                      <td className="py-2 pr-3">
                        <span className="block break-words font-medium text-slate-900">{user.username}</span>
                        <StatusBadges user={user} />
                      </td>
                      <td className="break-all py-2 pr-3 text-slate-700">{user.email}</td>
                      <td className="py-2 pr-3 text-slate-800">
                        <span className="block break-words">{user.family?.name ?? t("admin.users.noFamily")}</span>
                        <span className="text-xs text-slate-600">{roleOf(user, t)}</span>
                      </td>
                      <td className="py-2 pr-3 text-slate-800">{vintedOf(user, t)}</td>
                      <td className="py-2 pr-3 text-slate-800">
                        {user.last_activity_at ? formatDate(user.last_activity_at, language, true) : t("admin.users.never")}
                      </td>
                      <td className="py-2 pr-3 text-slate-800">{formatDate(user.created_at, language)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <nav aria-label={t("admin.users.pages")} className="mt-4 flex flex-wrap items-center justify-between gap-2">
              <p className="text-sm text-slate-700" aria-live="polite">
                {t("admin.users.range", { first: page.offset + 1, last, total: page.total })}
              </p>
              <div className="flex gap-2">
                <Button
                  type="button"
                  variant="secondary"
                  disabled={page.offset === 0}
                  onClick={() => setOffset(Math.max(0, page.offset - USERS_PAGE_SIZE))}
                >
                  <ChevronLeft aria-hidden="true" className="h-5 w-5" />
                  {t("admin.users.previous")}
                </Button>
                <Button
                  type="button"
                  variant="secondary"
                  disabled={last >= page.total}
                  onClick={() => setOffset(page.offset + USERS_PAGE_SIZE)}
                >
                  {t("admin.users.next")}
                  <ChevronRight aria-hidden="true" className="h-5 w-5" />
                </Button>
              </div>
            </nav>
          </>
        )
      ) : null}
    </section>
  );
}
