"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { Suspense, useEffect, type ReactNode } from "react";
import { useAuth } from "@/lib/auth";
import { useI18n } from "@/lib/i18n";
import { AccountBox, SideNav, TabBar } from "./navigation";
import { Spinner } from "./ui";

/**
 * Where a signed-out visitor goes: the sign-in page, with `next` naming the page they were sent away from
 * (its query too: a listing's review page is `/annunci?id=…`), but never the page they signed out from.
 */
function signInHref(signedOutByChoice: boolean): string {
  const here = `${window.location.pathname}${window.location.search}`;
  return signedOutByChoice || here === "/" ? "/accedi" : `/accedi?next=${encodeURIComponent(here)}`;
}

/**
 * The signed-in frame: on a desktop a side navigation, on a phone a bottom tab bar with an "Altro" sheet;
 * the member's name, the language, sign out. Sends anonymous visitors to /accedi.
 */
export function AppShell({ children }: { children: ReactNode }) {
  const { status, user, logout, signedOutByChoice } = useAuth();
  const { t } = useI18n();
  const router = useRouter();

  useEffect(() => {
    if (status === "signedOut") router.replace(signInHref(signedOutByChoice));
  }, [status, signedOutByChoice, router]);

  if (status !== "signedIn" || !user) {
    return (
      <div className="flex min-h-dvh items-center justify-center gap-2 text-slate-600" role="status">
        <Spinner /> {t("common.loading")}
      </div>
    );
  }

  // The effect above takes the member to the sign-in page once the session is gone.
  const account = <AccountBox username={user.username} family={user.family?.name ?? null} onSignOut={logout} />;

  return (
    <div className="min-h-dvh bg-slate-50 md:flex">
      <aside className="hidden w-64 shrink-0 flex-col gap-6 border-r border-slate-200 bg-white p-4 md:flex md:min-h-dvh">
        <Link href="/" className="text-lg font-bold text-teal-800">
          {t("app.name")}
        </Link>
        <Suspense>
          <SideNav />
        </Suspense>
        {account}
      </aside>

      <header className="border-b border-slate-200 bg-white px-4 pt-[env(safe-area-inset-top)] md:hidden">
        <Link href="/" className="flex min-h-11 items-center text-base font-bold text-teal-800">
          {t("app.name")}
        </Link>
      </header>

      {/* On a phone the content ends above the tab bar; what sticks to its bottom sticks above the bar too
          (globals.css, --tab-bar-height). */}
      <main
        data-shell-main
        className="mx-auto w-full max-w-5xl flex-1 p-4 pb-[calc(var(--tab-bar-height)+2.5rem)] sm:p-6 sm:pb-[calc(var(--tab-bar-height)+2.5rem)] md:pb-6 lg:p-8"
      >
        {children}
      </main>

      <Suspense>
        <TabBar account={account} />
      </Suspense>
    </div>
  );
}

export function PageTitle({ children }: { children: ReactNode }) {
  return <h1 className="mb-6 text-2xl font-bold text-slate-900">{children}</h1>;
}
