"use client";

import { ChevronRight, Search, X } from "lucide-react";
import { useId, useState, type ReactNode } from "react";
import { useCatalogLevel, useCatalogSearch, type CatalogNode } from "@/components/meta/queries";
import { Button, Spinner } from "@/components/ui";
import { useI18n } from "@/lib/i18n";
import { useSettled } from "@/lib/use-settled";

const ROW =
  "flex min-h-11 w-full items-center justify-between gap-2 rounded-lg px-3 py-2 text-left hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-teal-700";

/**
 * Vinted's category, chosen as on Vinted's own form: browse the tree level by level, or type and pick
 * from the matching Italian paths. Only a category without subcategories can be chosen (Vinted files
 * items only there).
 */
export function CategoryPicker({
  path,
  onPick,
  label,
  mark,
  error,
}: {
  path: string;
  onPick: (node: CatalogNode) => void;
  label?: ReactNode;
  mark?: ReactNode;
  error?: string;
}) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [trail, setTrail] = useState<CatalogNode[]>([]);
  const [typed, setTyped] = useState("");
  const query = useSettled(typed.trim());
  const parent = trail.length ? trail[trail.length - 1] : null;
  const level = useCatalogLevel(parent?.id ?? null, open && !query);
  const search = useCatalogSearch(open ? query : "");
  const labelId = useId();
  const searchId = useId();
  const items = query ? search.data?.items : level.data?.items;
  const loading = query ? search.isFetching : level.isFetching;

  function choose(node: CatalogNode) {
    if (!node.leaf) {
      // Down one level; from a search, into that branch (its path stands for the levels above it).
      setTyped("");
      setTrail((current) => (query ? [node] : [...current, node]));
      return;
    }
    onPick(node);
    setOpen(false);
    setTyped("");
  }

  return (
    <div className="flex flex-col gap-1 sm:col-span-2">
      <span id={labelId} className="text-sm font-medium text-slate-900">
        {label ?? t("detail.field.category")}
        {mark ? <span className="ml-2">{mark}</span> : null}
      </span>
      <div className="flex flex-wrap items-center gap-2">
        <p
          aria-labelledby={labelId}
          aria-describedby={error ? `${labelId}-error` : undefined}
          className={`min-h-11 flex-1 rounded-lg border bg-white px-3 py-2 ${error ? "border-red-500" : "border-slate-300"}`}
        >
          {path || <span className="text-slate-500">{t("category.none")}</span>}
        </p>
        <Button type="button" variant="secondary" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? t("category.close") : path ? t("category.change") : t("category.choose")}
        </Button>
      </div>
      {error ? (
        <p id={`${labelId}-error`} className="text-sm font-medium text-red-700">
          {error}
        </p>
      ) : null}
      {open ? (
        <div className="mt-2 flex flex-col gap-2 rounded-xl border border-slate-200 bg-slate-50 p-3">
          <label htmlFor={searchId} className="sr-only">
            {t("category.search")}
          </label>
          <div className="flex items-center gap-2 rounded-lg border border-slate-300 bg-white px-3">
            <Search aria-hidden="true" className="h-5 w-5 text-slate-500" />
            <input
              id={searchId}
              type="search"
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              placeholder={t("category.placeholder")}
              maxLength={100}
              autoComplete="off"
              className="min-h-11 flex-1 bg-transparent outline-none"
            />
            {typed ? (
              <button type="button" onClick={() => setTyped("")} className="p-2" aria-label={t("category.clear")}>
                <X aria-hidden="true" className="h-5 w-5" />
              </button>
            ) : null}
          </div>
          {!query ? (
            <nav aria-label={t("category.trail")} className="flex flex-wrap items-center gap-1 text-sm">
              <button type="button" className="min-h-11 px-2 underline" onClick={() => setTrail([])}>
                {t("category.all")}
              </button>
              {trail.map((node, index) => (
                <span key={node.id} className="flex items-center gap-1">
                  <ChevronRight aria-hidden="true" className="h-4 w-4 text-slate-500" />
                  <button
                    type="button"
                    className="min-h-11 px-2 underline"
                    aria-current={index === trail.length - 1 ? "location" : undefined}
                    onClick={() => setTrail(trail.slice(0, index + 1))}
                  >
                    {index === 0 && node.parent_id !== null ? node.path : node.title}
                  </button>
                </span>
              ))}
            </nav>
          ) : null}
          {loading && !items ? (
            <p role="status" className="flex items-center gap-2 text-sm">
              <Spinner /> {t("category.loading")}
            </p>
          ) : null}
          {items && items.length === 0 ? <p className="text-sm text-slate-700">{t("category.noMatch")}</p> : null}
          {items && items.length > 0 ? (
            <ul className="flex max-h-80 flex-col gap-1 overflow-y-auto" aria-label={t("category.results")}>
              {items.map((node) => (
                <li key={node.id}>
                  <button type="button" className={ROW} onClick={() => choose(node)}>
                    <span>{query ? node.path : node.title}</span>
                    {node.leaf ? null : <ChevronRight aria-hidden="true" className="h-5 w-5 shrink-0" />}
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
