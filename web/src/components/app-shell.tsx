"use client";

import {
  Bot,
  LayoutDashboard,
  LogOut,
  Menu,
  Package,
  Settings,
  ShoppingBag,
  Tag,
  TrendingUp,
  Users,
  X,
  type LucideIcon,
} from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { useAuth } from "@/lib/auth";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { LanguageSwitch } from "./language-switch";
import { Spinner } from "./ui";

const NAV: { href: string; label: MessageKey; icon: LucideIcon }[] = [
  { href: "/", label: "nav.dashboard", icon: LayoutDashboard },
  { href: "/annunci", label: "nav.listings", icon: Tag },
  { href: "/vendite", label: "nav.sales", icon: ShoppingBag },
  { href: "/spedizioni", label: "nav.shipments", icon: Package },
  { href: "/tendenze", label: "nav.trends", icon: TrendingUp },
  { href: "/assistente", label: "nav.assistant", icon: Bot },
  { href: "/famiglia", label: "nav.family", icon: Users },
  { href: "/impostazioni", label: "nav.settings", icon: Settings },
];

function isActive(pathname: string, href: string) {
  const clean = pathname.replace(/\/$/, "") || "/";
  return href === "/" ? clean === "/" : clean === href || clean.startsWith(`${href}/`);
}

function NavLinks({ onNavigate }: { onNavigate?: () => void }) {
  const pathname = usePathname();
  const { t } = useI18n();
  return (
    <ul className="flex flex-col gap-1">
      {NAV.map(({ href, label, icon: Icon }) => {
        const active = isActive(pathname, href);
        return (
          <li key={href}>
            <Link
              href={href}
              onClick={onNavigate}
              aria-current={active ? "page" : undefined}
              className={`flex min-h-11 items-center gap-3 rounded-lg px-3 py-2 text-base ${
                active ? "bg-teal-50 font-semibold text-teal-800" : "text-slate-700 hover:bg-slate-100"
              }`}
            >
              <Icon aria-hidden="true" className="h-5 w-5" />
              {t(label)}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

/** The signed-in frame: navigation, the member's name, sign out. Sends anonymous visitors to /accedi. */
export function AppShell({ children }: { children: ReactNode }) {
  const { status, user, logout } = useAuth();
  const { t } = useI18n();
  const router = useRouter();
  const pathname = usePathname();
  const [menuOpen, setMenuOpen] = useState(false);

  useEffect(() => {
    if (!menuOpen) return;
    const close = (event: KeyboardEvent) => event.key === "Escape" && setMenuOpen(false);
    window.addEventListener("keydown", close);
    return () => window.removeEventListener("keydown", close);
  }, [menuOpen]);

  useEffect(() => {
    if (status === "signedOut") {
      const next = pathname && pathname !== "/" ? `?next=${encodeURIComponent(pathname)}` : "";
      router.replace(`/accedi${next}`);
    }
  }, [status, router, pathname]);

  if (status !== "signedIn" || !user) {
    return (
      <div className="flex min-h-dvh items-center justify-center gap-2 text-slate-600" role="status">
        <Spinner /> {t("common.loading")}
      </div>
    );
  }

  const signOut = async () => {
    await logout();
    router.replace("/accedi");
  };

  const footer = (
    <div className="mt-auto flex flex-col gap-3 border-t border-slate-200 pt-4">
      <p className="truncate text-sm text-slate-600" title={user.family ? `${user.username} · ${user.family.name}` : user.username}>
        <span className="font-medium text-slate-900">{user.username}</span>
        {user.family ? <> · {user.family.name}</> : null}
      </p>
      <LanguageSwitch />
      <button
        type="button"
        onClick={signOut}
        className="flex min-h-11 items-center gap-3 rounded-lg px-3 py-2 text-left text-base text-slate-700 hover:bg-slate-100"
      >
        <LogOut aria-hidden="true" className="h-5 w-5" />
        {t("nav.logout")}
      </button>
    </div>
  );

  return (
    <div className="min-h-dvh bg-slate-50 md:flex">
      <aside className="hidden w-64 shrink-0 flex-col gap-6 border-r border-slate-200 bg-white p-4 md:flex md:min-h-dvh">
        <Link href="/" className="text-lg font-bold text-teal-800">
          {t("app.name")}
        </Link>
        <nav aria-label={t("nav.menu")}>
          <NavLinks />
        </nav>
        {footer}
      </aside>

      <header className="sticky top-0 z-20 flex items-center justify-between border-b border-slate-200 bg-white px-4 py-2 md:hidden">
        <Link href="/" className="text-base font-bold text-teal-800">
          {t("app.name")}
        </Link>
        <button
          type="button"
          onClick={() => setMenuOpen(true)}
          aria-expanded={menuOpen}
          aria-controls="mobile-menu"
          className="flex min-h-11 min-w-11 items-center justify-center rounded-lg text-slate-700 hover:bg-slate-100"
        >
          <Menu aria-hidden="true" className="h-6 w-6" />
          <span className="sr-only">{t("nav.menu")}</span>
        </button>
      </header>

      {menuOpen ? (
        <div
          id="mobile-menu"
          role="dialog"
          aria-modal="true"
          aria-label={t("nav.menu")}
          className="fixed inset-0 z-30 flex flex-col gap-4 overflow-y-auto bg-white p-4 md:hidden"
        >
          <div className="flex items-center justify-between">
            <span className="text-base font-bold text-teal-800">{t("app.name")}</span>
            <button
              type="button"
              autoFocus
              onClick={() => setMenuOpen(false)}
              className="flex min-h-11 min-w-11 items-center justify-center rounded-lg text-slate-700 hover:bg-slate-100"
            >
              <X aria-hidden="true" className="h-6 w-6" />
              <span className="sr-only">{t("nav.close")}</span>
            </button>
          </div>
          <nav aria-label={t("nav.menu")}>
            <NavLinks onNavigate={() => setMenuOpen(false)} />
          </nav>
          {footer}
        </div>
      ) : null}

      <main className="mx-auto w-full max-w-5xl flex-1 p-4 sm:p-6 lg:p-8">{children}</main>
    </div>
  );
}

export function PageTitle({ children }: { children: ReactNode }) {
  return <h1 className="mb-6 text-2xl font-bold text-slate-900">{children}</h1>;
}
