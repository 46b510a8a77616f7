"use client";

import {
  LayoutDashboard,
  LineChart,
  LogOut,
  MessageCircle,
  MoreHorizontal,
  Plus,
  Settings,
  ShieldCheck,
  ShoppingBag,
  Tag,
  Truck,
  Users,
  X,
  type LucideIcon,
} from "lucide-react";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import type { User } from "@/lib/api";
import { useAuth } from "@/lib/auth";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { LanguageSwitch } from "./language-switch";
import { buttonClasses } from "./ui";

interface NavItem {
  href: string;
  label: MessageKey;
  icon: LucideIcon;
}

// Only the sections that work. On a phone Spedizioni, Tendenze and Assistente are in "Altro": the tab bar
// keeps its five places (a sale's page also opens its parcel).
const HOME: NavItem = { href: "/", label: "nav.dashboard", icon: LayoutDashboard };
const LISTINGS: NavItem = { href: "/annunci", label: "nav.listings", icon: Tag };
const SALES: NavItem = { href: "/vendite", label: "nav.sales", icon: ShoppingBag };
const SHIPMENTS: NavItem = { href: "/spedizioni", label: "nav.shipments", icon: Truck };
const TRENDS: NavItem = { href: "/tendenze", label: "nav.trends", icon: LineChart };
const ASSISTANT: NavItem = { href: "/assistente", label: "nav.assistant", icon: MessageCircle };
const FAMILY: NavItem = { href: "/famiglia", label: "nav.family", icon: Users };
const SETTINGS: NavItem = { href: "/impostazioni", label: "nav.settings", icon: Settings };
/** The instance administrator's home (the installation, not a family's). */
export const ADMIN_HOME = "/amministrazione";
const ADMIN: NavItem = { href: ADMIN_HOME, label: "nav.admin", icon: ShieldCheck };

/** An instance administrator without a family: the family's sections would only answer 403. */
export function isAdminOnly(user: User | null): boolean {
  return Boolean(user?.is_instance_admin && !user.family);
}

/** Every section of the side navigation, for who is signed in. */
function sidebarOf(user: User | null): NavItem[] {
  if (isAdminOnly(user)) return [ADMIN, SETTINGS];
  const family = [HOME, LISTINGS, SALES, SHIPMENTS, TRENDS, ASSISTANT, FAMILY, SETTINGS];
  return user?.is_instance_admin ? [...family, ADMIN] : family;
}

/** What the phone's "Altro" sheet holds: every section that is not a tab. */
function moreOf(user: User | null): NavItem[] {
  if (isAdminOnly(user)) return [];
  const family = [SHIPMENTS, TRENDS, ASSISTANT, FAMILY, SETTINGS];
  return user?.is_instance_admin ? [...family, ADMIN] : family;
}
/** The upload panel of a new listing (the listings page reads `nuovo=1`). */
export const NEW_LISTING_HREF = "/annunci?nuovo=1";

function isActive(pathname: string, href: string) {
  const clean = pathname.replace(/\/$/, "") || "/";
  return href === "/" ? clean === "/" : clean === href || clean.startsWith(`${href}/`);
}

/** The upload panel is a view of /annunci: there the "Nuovo" action is current, not the list. */
function useCurrent(): (href: string) => boolean {
  const pathname = usePathname();
  const creating = useSearchParams().get("nuovo") === "1";
  return (href) => {
    if (href === NEW_LISTING_HREF) return isActive(pathname, LISTINGS.href) && creating;
    if (href === LISTINGS.href && creating) return false;
    return isActive(pathname, href);
  };
}

/** The desktop's side navigation: a "new listing" button, then every section. */
export function SideNav() {
  const { t } = useI18n();
  const { user } = useAuth();
  const current = useCurrent();
  return (
    <>
      {isAdminOnly(user) ? null : (
        <Link prefetch={false}
          href={NEW_LISTING_HREF}
          className={`${buttonClasses()} w-full`}
          aria-current={current(NEW_LISTING_HREF) ? "page" : undefined}
        >
          <Plus aria-hidden="true" className="h-5 w-5" />
          {t("listings.new")}
        </Link>
      )}
      <nav aria-label={t("nav.menu")}>
        <ul className="flex flex-col gap-1">
          {sidebarOf(user).map(({ href, label, icon: Icon }) => {
            const active = current(href);
            return (
              <li key={href}>
                <Link prefetch={false}
                  href={href}
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
      </nav>
    </>
  );
}

const TAB = "flex min-h-14 w-full flex-col items-center justify-center gap-0.5 px-1 text-xs font-medium";

function tabColours(active: boolean) {
  return active ? "text-teal-800" : "text-slate-600 hover:text-slate-900";
}

function TabLink({ item, current }: { item: NavItem; current: (href: string) => boolean }) {
  const { t } = useI18n();
  const active = current(item.href);
  const Icon = item.icon;
  return (
    <Link prefetch={false} href={item.href} aria-current={active ? "page" : undefined} className={`${TAB} ${tabColours(active)}`}>
      <Icon aria-hidden="true" className="h-6 w-6" strokeWidth={active ? 2.5 : 2} />
      <span className={active ? "font-semibold" : undefined}>{t(item.label)}</span>
    </Link>
  );
}

/**
 * The phone's bottom tab bar (below `md`): Panoramica, Annunci, a raised "Nuovo" that opens the upload
 * panel, Vendite, Altro (a sheet with the rest). Each target is at least 44 px; the bar sits above the
 * home indicator (safe-area inset) and the shell pads its content by the bar's height.
 */
export function TabBar({ account }: { account: ReactNode }) {
  const { t } = useI18n();
  const { user } = useAuth();
  const current = useCurrent();
  const pathname = usePathname();
  const [moreOpen, setMoreOpen] = useState(false);
  const more = moreOf(user);
  const adminOnly = isAdminOnly(user);
  const inMore = more.some((item) => current(item.href));
  const creating = current(NEW_LISTING_HREF);

  // A new page closes the sheet (its links navigate, the back button too).
  useEffect(() => setMoreOpen(false), [pathname]);

  // From `md` up the sheet is hidden (the side navigation takes over): a modal left open would keep the
  // page inert, so a phone turned into a wider screen closes it.
  useEffect(() => {
    const wide = window.matchMedia("(min-width: 48rem)");
    const close = (event: MediaQueryListEvent) => event.matches && setMoreOpen(false);
    wide.addEventListener("change", close);
    return () => wide.removeEventListener("change", close);
  }, []);

  return (
    <>
      <nav
        aria-label={t("nav.menu")}
        className="fixed inset-x-0 bottom-0 z-20 border-t border-slate-200 bg-white pb-[env(safe-area-inset-bottom)] md:hidden"
      >
        <ul className={`mx-auto grid max-w-lg items-end ${adminOnly ? "grid-cols-3" : "grid-cols-5"}`}>
          {adminOnly ? (
            <>
              <li>
                <TabLink item={ADMIN} current={current} />
              </li>
              <li>
                <TabLink item={SETTINGS} current={current} />
              </li>
            </>
          ) : (
            <>
              <li>
                <TabLink item={HOME} current={current} />
              </li>
              <li>
                <TabLink item={LISTINGS} current={current} />
              </li>
              <li>
                <Link prefetch={false}
                  href={NEW_LISTING_HREF}
                  // "Nuovo annuncio": the visible "Nuovo" begins the name, as WCAG 2.5.3 asks.
                  aria-label={t("listings.new")}
                  aria-current={creating ? "page" : undefined}
                  className={`${TAB} ${creating ? "text-teal-800" : "text-slate-800"}`}
                >
                  <span className="-mt-5 flex size-12 items-center justify-center rounded-full bg-teal-700 text-white shadow-md ring-4 ring-white">
                    <Plus aria-hidden="true" className="h-7 w-7" strokeWidth={2.5} />
                  </span>
                  <span className="font-semibold">{t("nav.new")}</span>
                </Link>
              </li>
              <li>
                <TabLink item={SALES} current={current} />
              </li>
            </>
          )}
          <li>
            <button
              type="button"
              onClick={() => setMoreOpen(true)}
              aria-haspopup="dialog"
              aria-expanded={moreOpen}
              // The sections in the sheet: when one of them is open, "Altro" is the current tab.
              aria-current={inMore ? "true" : undefined}
              className={`${TAB} ${tabColours(inMore)}`}
            >
              <MoreHorizontal aria-hidden="true" className="h-6 w-6" strokeWidth={inMore ? 2.5 : 2} />
              <span className={inMore ? "font-semibold" : undefined}>{t("nav.more")}</span>
            </button>
          </li>
        </ul>
      </nav>
      <MoreSheet open={moreOpen} onClose={() => setMoreOpen(false)} current={current} items={more}>
        {account}
      </MoreSheet>
    </>
  );
}

/**
 * "Altro" as a bottom sheet: a native modal <dialog>, so focus stays inside, Escape closes it and the page
 * behind is inert without hand-written focus traps.
 */
function MoreSheet({
  open,
  onClose,
  current,
  items,
  children,
}: {
  open: boolean;
  onClose: () => void;
  current: (href: string) => boolean;
  items: NavItem[];
  children: ReactNode;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={onClose}
      // A tap on the backdrop (the dialog element itself, outside its panel) closes the sheet.
      onClick={(event) => event.target === ref.current && onClose()}
      className="fixed inset-x-0 top-auto bottom-0 m-0 max-h-[85dvh] w-full max-w-none overflow-y-auto rounded-t-2xl bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/40 md:hidden"
    >
      <div className="flex flex-col gap-4 p-4 pb-[calc(1rem+env(safe-area-inset-bottom))]">
        <div className="flex items-center justify-between">
          <h2 id={titleId} className="text-lg font-bold text-slate-900">
            {t("nav.more")}
          </h2>
          <button
            type="button"
            onClick={onClose}
            className="flex min-h-11 min-w-11 items-center justify-center rounded-lg text-slate-700 hover:bg-slate-100"
          >
            <X aria-hidden="true" className="h-6 w-6" />
            <span className="sr-only">{t("nav.close")}</span>
          </button>
        </div>
        {items.length ? (
          <nav aria-label={t("nav.more")}>
            <ul className="flex flex-col gap-1">
              {items.map(({ href, label, icon: Icon }) => {
                const active = current(href);
                return (
                  <li key={href}>
                    <Link prefetch={false}
                      href={href}
                      onClick={onClose}
                      aria-current={active ? "page" : undefined}
                      className={`flex min-h-12 items-center gap-3 rounded-lg px-3 py-2 text-base ${
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
          </nav>
        ) : null}
        {children}
      </div>
    </dialog>
  );
}

/** Who is signed in, the language, and the way out: the sidebar's foot, the "Altro" sheet's end. */
export function AccountBox({
  username,
  family,
  onSignOut,
}: {
  username: string;
  family: string | null;
  onSignOut: () => void;
}) {
  const { t } = useI18n();
  return (
    <div className="mt-auto flex flex-col gap-3 border-t border-slate-200 pt-4">
      <p className="truncate text-sm text-slate-600" title={family ? `${username} · ${family}` : username}>
        <span className="font-medium text-slate-900">{username}</span>
        {family ? <> · {family}</> : null}
      </p>
      <LanguageSwitch />
      <button
        type="button"
        onClick={onSignOut}
        className="flex min-h-11 items-center gap-3 rounded-lg px-3 py-2 text-left text-base text-slate-700 hover:bg-slate-100"
      >
        <LogOut aria-hidden="true" className="h-5 w-5" />
        {t("nav.logout")}
      </button>
    </div>
  );
}
