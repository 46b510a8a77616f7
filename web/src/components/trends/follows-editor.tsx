"use client";

// What the family follows: its inventory's categories and brands until the family admin chooses; the admin
// adds a category (Vinted's tree, the listings' picker) with an optional brand, or removes one. Every change
// saves the whole list (PUT /trends/follows); "Torna al mio inventario" saves an empty one.
import { X } from "lucide-react";
import { useState } from "react";
import { CategoryPicker } from "@/components/listings/category-picker";
import type { CatalogNode } from "@/components/meta/queries";
import { Alert, Button, Field, Loading } from "@/components/ui";
import type { Schemas } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { useFollows, useSetFollows, type Follow } from "./queries";

const MAX_FOLLOWS = 30;

function followIn(follow: Follow): Schemas["FollowIn"] {
  return {
    category_id: follow.category_id,
    category_name: follow.category_name,
    brand: follow.brand ?? null,
    brand_id: follow.brand_id ?? null,
    search_text: follow.search_text ?? "",
  };
}

function sameFollow(a: Follow, b: Follow): boolean {
  return a.category_id === b.category_id && (a.brand ?? "").toLowerCase() === (b.brand ?? "").toLowerCase();
}

export function FollowsEditor({ canEdit }: { canEdit: boolean }) {
  const { t } = useI18n();
  const follows = useFollows();
  const save = useSetFollows();
  const [picked, setPicked] = useState<CatalogNode | null>(null);
  const [brand, setBrand] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const list = follows.data?.follows ?? [];
  const inventory = follows.data?.source === "inventory";

  function store(next: Follow[]) {
    setProblem(null);
    setSaved(false);
    save.mutate(next.map(followIn), {
      onSuccess: () => {
        setSaved(true);
        setPicked(null);
        setBrand("");
      },
    });
  }

  function add() {
    if (!picked) {
      setProblem(t("trends.follows.pickFirst"));
      return;
    }
    const follow: Follow = {
      category_id: picked.id,
      category_name: picked.path.slice(0, 200),
      brand: brand.trim() ? brand.trim().slice(0, 120) : null,
    };
    if (list.some((existing) => sameFollow(existing, follow))) {
      setPicked(null);
      setBrand("");
      return;
    }
    if (list.length >= MAX_FOLLOWS) {
      setProblem(t("trends.follows.full"));
      return;
    }
    store([...list, follow]);
  }

  return (
    <section
      aria-labelledby="trend-follows"
      className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
    >
      <h2 id="trend-follows" className="mb-4 text-lg font-semibold text-slate-900">
        {t("trends.follows")}
      </h2>
      <div className="flex flex-col gap-4">
        {follows.isPending ? <Loading label={t("common.loading")} /> : null}
        {follows.isError ? <Alert>{errorMessage(follows.error, t)}</Alert> : null}
        {follows.data ? (
          <p className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
            <span
              className={`rounded-full px-2.5 py-0.5 text-xs font-semibold ${
                inventory ? "bg-sky-100 text-sky-900" : "bg-teal-100 text-teal-900"
              }`}
            >
              {inventory ? t("trends.follows.inventory") : t("trends.follows.configured")}
            </span>
            {inventory ? <span>{t("trends.follows.inventoryHint")}</span> : null}
          </p>
        ) : null}
        {follows.data && !list.length ? <p className="text-sm text-slate-600">{t("trends.follows.empty")}</p> : null}
        {list.length ? (
          <ul className="flex flex-col divide-y divide-slate-100 rounded-lg border border-slate-200">
            {list.map((follow) => {
              const name = follow.brand ? `${follow.category_name} · ${follow.brand}` : follow.category_name;
              return (
                <li key={`${follow.category_id}-${follow.brand ?? ""}`} className="flex items-center gap-2 px-3 py-2">
                  <div className="min-w-0 flex-1">
                    <p className="text-sm font-medium break-words text-slate-900">{follow.category_name}</p>
                    <p className="text-xs text-slate-600">{follow.brand ?? t("trends.follows.wholeCategory")}</p>
                  </div>
                  {canEdit ? (
                    <button
                      type="button"
                      disabled={save.isPending}
                      onClick={() => store(list.filter((other) => !sameFollow(other, follow)))}
                      className="flex min-h-11 min-w-11 shrink-0 items-center justify-center rounded-lg text-slate-700 hover:bg-slate-100 disabled:opacity-50"
                    >
                      <X aria-hidden="true" className="h-5 w-5" />
                      <span className="sr-only">{t("trends.follows.remove", { name })}</span>
                    </button>
                  ) : null}
                </li>
              );
            })}
          </ul>
        ) : null}

        {canEdit && follows.data ? (
          <div className="flex flex-col gap-3 border-t border-slate-200 pt-4">
            <CategoryPicker
              label={t("trends.follows.category")}
              path={picked?.path ?? ""}
              onPick={(node) => {
                setPicked(node);
                setProblem(null);
              }}
            />
            <Field
              label={t("trends.follows.brand")}
              hint={t("trends.follows.brandHint")}
              value={brand}
              maxLength={120}
              onChange={(event) => setBrand(event.target.value)}
            />
            <div className="flex flex-wrap gap-2">
              <Button type="button" busy={save.isPending} onClick={add}>
                {t("trends.follows.add")}
              </Button>
              {!inventory ? (
                <Button type="button" variant="ghost" disabled={save.isPending} onClick={() => store([])}>
                  {t("trends.follows.reset")}
                </Button>
              ) : null}
            </div>
            {problem ? <Alert>{problem}</Alert> : null}
            {save.isError ? <Alert>{errorMessage(save.error, t)}</Alert> : null}
            {saved && !save.isPending ? <Alert kind="success">{t("trends.follows.saved")}</Alert> : null}
          </div>
        ) : null}
        {!canEdit ? <p className="text-sm text-slate-600">{t("trends.follows.memberNote")}</p> : null}
      </div>
    </section>
  );
}
