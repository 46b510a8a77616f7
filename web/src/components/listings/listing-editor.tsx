"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Sparkles } from "lucide-react";
import { useEffect, useState, type FormEvent } from "react";
import type { ListingLimits, Meta } from "@/components/meta/queries";
import { Alert, Button, Card, Field, Select, Spinner, TextArea } from "@/components/ui";
import { api, unwrap, type Schemas } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { formatDate, formatEuro } from "@/lib/format";
import { useI18n, type Language } from "@/lib/i18n";
import {
  conditionLabel,
  middlePrice,
  moneyInput,
  parseMoney,
  primaryImage,
  splitWords,
  statusLabel,
  type Condition,
  type Listing,
  type ListingStatus,
} from "./labels";
import { CategoryPicker } from "./category-picker";
import { storeListing, useReanalyze } from "./queries";

interface FormValues {
  title: string;
  description: string;
  price: string;
  purchase_cost: string;
  category: string;
  category_id: string;
  brand: string;
  condition: Condition | "";
  size: string;
  colors: string;
  tags: string;
  status: ListingStatus;
}
type FieldName = keyof FormValues;
type Errors = Partial<Record<FieldName, string>>;

function toValues(listing: Listing, language: Language): FormValues {
  return {
    title: listing.title,
    description: listing.description,
    price: moneyInput(listing.price, language),
    purchase_cost: moneyInput(listing.purchase_cost, language),
    category: listing.category ?? "",
    category_id: listing.category_id == null ? "" : String(listing.category_id),
    brand: listing.brand ?? "",
    condition: listing.condition ?? "",
    size: listing.size ?? "",
    colors: listing.colors.join(", "),
    tags: listing.tags.join(", "),
    status: listing.status,
  };
}

/** Fields the person has not touched follow the server (the AI's draft arriving); touched ones stay theirs. */
function mergeUntouched(current: FormValues, base: FormValues, next: FormValues): FormValues {
  const merged = { ...current };
  for (const key of Object.keys(next) as FieldName[]) {
    if (current[key] === base[key]) (merged as Record<FieldName, string>)[key] = next[key];
  }
  return merged;
}

function money(value: string | null): string | null {
  return value == null ? null : Number(value).toFixed(2);
}

/** Only what changed goes to the server (PATCH), and nothing goes while a field is invalid. */
function buildPatch(
  values: FormValues,
  listing: Listing,
  limits: ListingLimits,
  t: (key: "listings.invalidMoney") => string,
  tooMany: (max: number) => string,
) {
  const body: Schemas["ListingUpdate"] = {};
  const errors: Errors = {};
  const title = values.title.trim();
  if (title !== listing.title) body.title = title;
  const description = values.description.trim();
  if (description !== listing.description) body.description = description;
  for (const field of ["price", "purchase_cost"] as const) {
    const parsed = parseMoney(values[field]);
    if (parsed === undefined) errors[field] = t("listings.invalidMoney");
    else if (parsed !== money(listing[field])) body[field] = parsed;
  }
  // The category is Vinted's catalog id (the picker); its name follows it on the server.
  const categoryId = values.category_id ? Number(values.category_id) : null;
  if (categoryId !== null && categoryId !== listing.category_id) body.category_id = categoryId;
  for (const field of ["brand", "size"] as const) {
    const value = values[field].trim() || null;
    if (value !== (listing[field] ?? null)) body[field] = value;
  }
  const condition = values.condition || null;
  if (condition !== listing.condition) body.condition = condition;
  const colors = splitWords(values.colors, limits.word);
  if (colors.length > limits.colors) errors.colors = tooMany(limits.colors);
  else if (colors.join("\u0000") !== listing.colors.join("\u0000")) body.colors = colors;
  const tags = splitWords(values.tags.toLowerCase(), limits.word);
  if (tags.length > limits.tags) errors.tags = tooMany(limits.tags);
  else if (tags.join("\u0000") !== listing.tags.join("\u0000")) body.tags = tags;
  if (values.status !== listing.status) body.status = values.status;
  return { body, errors };
}

function AiPanel({ listing, onUsePrice }: { listing: Listing; onUsePrice: (price: number) => void }) {
  const { t, language } = useI18n();
  const reanalyze = useReanalyze(listing);
  const suggestion = listing.ai_suggestion;
  const middle = middlePrice(suggestion.suggested_price_min, suggestion.suggested_price_max);
  const confidence = suggestion.confidence;
  const percent = confidence != null ? Math.round(Math.max(0, Math.min(1, confidence)) * 100) : null;
  const hasPhoto = primaryImage(listing) !== undefined;

  return (
    <Card title={t("detail.ai")}>
      <div className="flex flex-col gap-3">
        {listing.analysis_status === "pending" ? (
          <>
            <p role="status" className="flex items-center gap-2 font-medium text-teal-900">
              <Spinner /> {t("detail.ai.pending")}
            </p>
            <p className="text-sm text-slate-600">{t("detail.ai.pendingHint")}</p>
            {listing.analysis_error ? (
              <Alert kind="info">{t("detail.ai.retrying", { error: listing.analysis_error })}</Alert>
            ) : null}
          </>
        ) : null}

        {listing.analysis_status === "failed" ? (
          <>
            <Alert>
              <strong className="block">{t("detail.ai.failed")}</strong>
              {listing.analysis_error}
            </Alert>
            {reanalyze.isError ? <Alert>{errorMessage(reanalyze.error, t)}</Alert> : null}
            <Button
              type="button"
              onClick={() => reanalyze.mutate()}
              busy={reanalyze.isPending}
              disabled={!hasPhoto}
              className="self-start"
            >
              <Sparkles aria-hidden="true" className="h-5 w-5" />
              {t("detail.ai.retry")}
            </Button>
            {!hasPhoto ? <p className="text-sm text-slate-600">{t("detail.reanalyzeNeedsPhoto")}</p> : null}
          </>
        ) : null}

        {listing.analysis_status === "none" ? <p className="text-sm text-slate-600">{t("detail.ai.none")}</p> : null}
        {listing.analysis_status === "done" ? <p className="text-sm text-slate-700">{t("detail.ai.done")}</p> : null}

        {percent !== null ? (
          <div className="flex flex-col gap-1">
            <p className="text-sm font-medium text-slate-900">{t("detail.ai.confidence", { percent })}</p>
            <div
              aria-hidden="true"
              className="h-2 w-full max-w-xs overflow-hidden rounded-full bg-slate-200"
            >
              <div
                className={`h-full rounded-full ${percent >= 70 ? "bg-emerald-600" : percent >= 40 ? "bg-amber-500" : "bg-red-600"}`}
                style={{ width: `${percent}%` }}
              />
            </div>
            {percent < 40 ? <p className="text-sm text-amber-800">{t("detail.ai.lowConfidence")}</p> : null}
          </div>
        ) : null}

        {middle !== null ? (
          <div className="flex flex-col gap-2 rounded-lg bg-teal-50 p-3 sm:flex-row sm:items-center sm:justify-between">
            <p className="font-medium text-teal-950">
              {t("detail.ai.priceRange", {
                min: formatEuro(suggestion.suggested_price_min, language),
                max: formatEuro(suggestion.suggested_price_max, language),
              })}
            </p>
            <Button type="button" variant="secondary" onClick={() => onUsePrice(middle)}>
              {t("detail.ai.useMiddle", { price: formatEuro(middle, language) })}
            </Button>
          </div>
        ) : null}

        {suggestion.model && listing.ai_analyzed_at ? (
          <p className="text-xs text-slate-500">
            {t("detail.ai.model", { model: suggestion.model, date: formatDate(listing.ai_analyzed_at, language, true) })}
          </p>
        ) : null}
      </div>
    </Card>
  );
}

/**
 * The AI's draft and the form that turns it into the listing: every field editable, only changes saved.
 * The choices and the limits of the fields are the server's (`meta`).
 */
export function ListingEditor({ listing, meta }: { listing: Listing; meta: Meta }) {
  const { t, language } = useI18n();
  const limits = meta.limits.listing;
  const queryClient = useQueryClient();
  const [base, setBase] = useState(() => toValues(listing, language));
  const [values, setValues] = useState(base);
  const [nothingToSave, setNothingToSave] = useState(false);

  useEffect(() => {
    const next = toValues(listing, language);
    setValues((current) => mergeUntouched(current, base, next));
    setBase(next);
    // `base` is read, not watched: it changes together with the listing.
  }, [listing, language]);

  const save = useMutation({
    mutationFn: async (body: Schemas["ListingUpdate"]) =>
      unwrap(
        await api.PATCH("/api/v1/listings/{listing_id}", { params: { path: { listing_id: listing.id } }, body }),
      ),
    onSuccess: (updated) => {
      // The form shows what the server kept (it trims, lower-cases tags, drops repeats).
      const next = toValues(updated, language);
      setBase(next);
      setValues(next);
      storeListing(queryClient, updated);
    },
  });

  const { body, errors } = buildPatch(values, listing, limits, t, (max) => t("detail.field.tooMany", { max }));
  const dirty = Object.keys(body).length > 0;
  const invalid = Object.keys(errors).length > 0;

  // Leaving the page with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const set = (field: FieldName) => (event: { currentTarget: { value: string } }) => {
    const value = event.currentTarget.value;
    setValues((current) => ({ ...current, [field]: value }));
    setNothingToSave(false);
    if (save.isSuccess || save.isError) save.reset();
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (invalid) {
      const first = (Object.keys(errors) as FieldName[])[0];
      event.currentTarget.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
      return;
    }
    if (!dirty) {
      setNothingToSave(true);
      return;
    }
    save.mutate(body);
  };

  return (
    <>
      <AiPanel
        listing={listing}
        onUsePrice={(price) => {
          setValues((current) => ({ ...current, price: moneyInput(price, language) }));
          setNothingToSave(false);
        }}
      />
      <Card title={t("detail.form")}>
        <form onSubmit={submit} noValidate className="flex flex-col gap-4">
          <Field
            label={t("detail.field.title")}
            name="title"
            value={values.title}
            onChange={set("title")}
            maxLength={limits.title}
            hint={t("detail.field.chars", { count: values.title.length, max: limits.title })}
            autoComplete="off"
          />
          <TextArea
            label={t("detail.field.description")}
            name="description"
            value={values.description}
            onChange={set("description")}
            maxLength={limits.description}
            rows={7}
            hint={t("detail.field.chars", { count: values.description.length, max: limits.description })}
          />
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
            <Field
              label={t("detail.field.price")}
              name="price"
              value={values.price}
              onChange={set("price")}
              error={errors.price}
              inputMode="decimal"
              autoComplete="off"
            />
            <Field
              label={t("detail.field.purchaseCost")}
              name="purchase_cost"
              value={values.purchase_cost}
              onChange={set("purchase_cost")}
              error={errors.purchase_cost}
              hint={t("detail.field.purchaseCostHint")}
              inputMode="decimal"
              autoComplete="off"
            />
            <CategoryPicker
              path={values.category}
              onPick={(node) =>
                setValues((current) => ({ ...current, category: node.path, category_id: String(node.id) }))
              }
            />
            <Field
              label={t("detail.field.brand")}
              name="brand"
              value={values.brand}
              onChange={set("brand")}
              maxLength={limits.brand}
              autoComplete="off"
            />
            <Select
              label={t("detail.field.condition")}
              name="condition"
              value={values.condition}
              onChange={set("condition")}
            >
              <option value="">{t("detail.field.conditionNone")}</option>
              {meta.vocabulary.conditions.map(({ value }) => (
                <option key={value} value={value}>
                  {t(conditionLabel(value))}
                </option>
              ))}
            </Select>
            <Field
              label={t("detail.field.size")}
              name="size"
              value={values.size}
              onChange={set("size")}
              maxLength={limits.size}
              autoComplete="off"
            />
            <Field
              label={t("detail.field.colors")}
              name="colors"
              value={values.colors}
              onChange={set("colors")}
              error={errors.colors}
              hint={t("detail.field.colorsHint", { max: limits.colors })}
              autoComplete="off"
            />
            <Field
              label={t("detail.field.tags")}
              name="tags"
              value={values.tags}
              onChange={set("tags")}
              error={errors.tags}
              hint={t("detail.field.tagsHint", { max: limits.tags })}
              autoComplete="off"
              autoCapitalize="none"
            />
            <Select label={t("detail.field.status")} name="status" value={values.status} onChange={set("status")}>
              {meta.vocabulary.listing_statuses.map((status) => (
                <option key={status} value={status}>
                  {t(statusLabel(status))}
                </option>
              ))}
            </Select>
          </div>

          {save.isError ? <Alert>{errorMessage(save.error, t)}</Alert> : null}
          {save.isSuccess && !dirty ? <Alert kind="success">{t("common.saved")}</Alert> : null}
          {nothingToSave && !dirty ? <Alert kind="info">{t("detail.noChanges")}</Alert> : null}

          <div className="sticky bottom-0 -mx-4 -mb-4 flex flex-wrap items-center gap-3 rounded-b-xl border-t border-slate-200 bg-white/95 px-4 py-3 backdrop-blur sm:static sm:m-0 sm:border-0 sm:bg-transparent sm:p-0">
            <Button type="submit" busy={save.isPending} className="w-full sm:w-auto">
              {t("common.save")}
            </Button>
            {dirty ? (
              <p className="text-sm font-medium text-amber-800" role="status">
                {t("detail.unsaved")}
              </p>
            ) : null}
          </div>
        </form>
      </Card>
    </>
  );
}
