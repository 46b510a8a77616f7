"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Sparkles } from "lucide-react";
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { useCatalogFields, type ListingLimits, type Meta } from "@/components/meta/queries";
import { Alert, Button, Card, Field, Select, Spinner, TextArea } from "@/components/ui";
import { api, unwrap, type Schemas } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { formErrors } from "@/lib/form-errors";
import { formatEuro } from "@/lib/format";
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
import { AiMark, BrandField, ColorField, ParcelSizeField, SizeField, type FieldSource } from "./vinted-fields";

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
  size_id: string;
  package_size_id: string;
  material: string;
  colors: string; // Vinted's colour names, joined by ", " (a string, so "untouched" is a plain comparison)
  tags: string;
  status: ListingStatus;
}
type FieldName = keyof FormValues;
type Errors = Partial<Record<FieldName, string>>;

// The API's names for the fields (a 422's `fields`), and the form field that shows each one's message.
const API_FIELDS: Record<string, FieldName> = {
  title: "title",
  description: "description",
  price: "price",
  purchase_cost: "purchase_cost",
  category: "category",
  category_id: "category",
  brand: "brand",
  condition: "condition",
  size: "size",
  size_id: "size",
  package_size_id: "package_size_id",
  material: "material",
  colors: "colors",
  tags: "tags",
  status: "status",
};
const API_NAMES = Object.keys(API_FIELDS);

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
    size_id: listing.size_id == null ? "" : String(listing.size_id),
    package_size_id: listing.package_size_id == null ? "" : String(listing.package_size_id),
    material: listing.material ?? "",
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

function colorList(value: string): string[] {
  return value ? value.split(", ") : [];
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
  // A size is one of the category's (its id; the name follows) or, without a list, the member's words.
  const sizeId = values.size_id ? Number(values.size_id) : null;
  if (sizeId !== null && sizeId !== listing.size_id) body.size_id = sizeId;
  else if (sizeId === null) {
    const size = values.size.trim() || null;
    if (size !== (listing.size ?? null)) body.size = size;
  }
  for (const field of ["brand", "material"] as const) {
    const value = values[field].trim() || null;
    if (value !== (listing[field] ?? null)) body[field] = value;
  }
  const packageSize = values.package_size_id ? Number(values.package_size_id) : null;
  if (packageSize !== listing.package_size_id) body.package_size_id = packageSize;
  const condition = values.condition || null;
  if (condition !== listing.condition) body.condition = condition;
  const colors = colorList(values.colors);
  if (colors.join("\u0000") !== listing.colors.join("\u0000")) body.colors = colors;
  const tags = splitWords(values.tags.toLowerCase(), limits.word);
  if (tags.length > limits.tags) errors.tags = tooMany(limits.tags);
  else if (tags.join("\u0000") !== listing.tags.join("\u0000")) body.tags = tags;
  if (values.status !== listing.status) body.status = values.status;
  return { body, errors };
}

/** What the AI is doing or did, in a few lines: the draft's state, its confidence, the price range. */
function AiSummary({
  listing,
  price,
  onUsePrice,
}: {
  listing: Listing;
  price: string | null | undefined;
  onUsePrice: (price: number) => void;
}) {
  const { t, language } = useI18n();
  const reanalyze = useReanalyze(listing);
  const suggestion = listing.ai_suggestion;
  const middle = middlePrice(suggestion.suggested_price_min, suggestion.suggested_price_max);
  const confidence = suggestion.confidence;
  const percent = confidence != null ? Math.round(Math.max(0, Math.min(1, confidence)) * 100) : null;
  const hasPhoto = primaryImage(listing) !== undefined;
  // "Use" only when it would change the price the form holds.
  const useful = middle !== null && (price === undefined || price === null || Number(price) !== middle);

  return (
    <section
      aria-labelledby="ai-summary"
      className="flex flex-col gap-2 rounded-xl border border-violet-200 bg-violet-50/60 p-3 sm:p-4"
    >
      <h2 id="ai-summary" className="flex items-center gap-2 text-base font-semibold text-violet-950">
        <Sparkles aria-hidden="true" className="h-4 w-4" />
        {t("detail.ai")}
      </h2>
      {listing.analysis_status === "pending" ? (
        <>
          <p role="status" className="flex items-center gap-2 font-medium text-violet-950">
            <Spinner /> {t("detail.ai.pending")}
          </p>
          <p className="text-sm text-slate-700">{t("detail.ai.pendingHint")}</p>
          {listing.analysis_error ? <Alert kind="info">{t("detail.ai.retrying")}</Alert> : null}
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
      {listing.analysis_status === "none" ? <p className="text-sm text-slate-700">{t("detail.ai.none")}</p> : null}
      {listing.analysis_status === "done" ? (
        <p className="text-sm text-slate-800">
          {listing.ai_fields.length ? t("detail.ai.doneMarked") : t("detail.ai.done")}
          {percent !== null ? (
            <span className={percent < 40 ? "font-medium text-amber-900" : ""}>
              {" "}
              {percent < 40 ? t("detail.ai.lowConfidence") : t("detail.ai.confidence", { percent })}
            </span>
          ) : null}
        </p>
      ) : null}
      {middle !== null ? (
        <div className="flex flex-wrap items-center justify-between gap-2">
          <p className="text-sm text-slate-900">
            <span className="font-semibold">
              {t("detail.ai.priceRange", {
                min: formatEuro(suggestion.suggested_price_min, language),
                max: formatEuro(suggestion.suggested_price_max, language),
              })}
            </span>
            <span className="block text-xs text-slate-700">
              {suggestion.price_explanation ? (
                <>
                  <span className="sr-only">{t("market.suggestionWhy")}: </span>
                  {suggestion.price_explanation}
                </>
              ) : (
                t("detail.ai.priceWhy")
              )}
            </span>
          </p>
          {useful ? (
            <Button type="button" variant="secondary" onClick={() => onUsePrice(middle)}>
              {t("detail.ai.useMiddle", { price: formatEuro(middle, language) })}
            </Button>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

/**
 * The AI's draft and the form that turns it into the listing, phone first: the AI's summary and the price
 * come first, then the fields in the order of Vinted's own form. Every field is editable and only changes
 * are saved; a field still holding the AI's proposal says so until the member changes it. The choices and
 * the limits are the server's (`meta`, and the category's fields).
 */
export function ListingEditor({ listing, meta }: { listing: Listing; meta: Meta }) {
  const { t, language } = useI18n();
  const limits = meta.limits.listing;
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const [base, setBase] = useState(() => toValues(listing, language));
  const [values, setValues] = useState(base);
  const [nothingToSave, setNothingToSave] = useState(false);
  const categoryId = values.category_id ? Number(values.category_id) : null;
  const catalog = useCatalogFields(categoryId);

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
      // The form shows what the server kept (it trims, lower-cases tags, names the size, drops repeats).
      const next = toValues(updated, language);
      setBase(next);
      setValues(next);
      storeListing(queryClient, updated);
    },
  });

  const { body, errors } = buildPatch(values, listing, limits, t, (max) => t("detail.field.tooMany", { max }));
  const dirty = Object.keys(body).length > 0;
  const invalid = Object.keys(errors).length > 0;
  // The server's refusals, each under its field (the API names them); the rest in the alert.
  const refused = save.isError ? formErrors(save.error, API_NAMES, t) : null;
  const fieldError = (field: FieldName): string | undefined => {
    if (errors[field]) return errors[field];
    if (!refused) return undefined;
    const names = API_NAMES.filter((name) => API_FIELDS[name] === field);
    return names.map((name) => refused.fields[name]).find(Boolean);
  };

  // Leaving the page with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  // After a refused save, the keyboard and the screen reader land on the first field with a message.
  useEffect(() => {
    if (!refused) return;
    const first = (Object.keys(API_FIELDS) as string[]).find((name) => refused.fields[name]);
    if (first === undefined) return;
    const target = formRef.current?.querySelector<HTMLElement>(
      `[name="${API_FIELDS[first]}"], [name="${first}"]`,
    );
    target?.focus();
  }, [refused]);

  const change = (patch: Partial<FormValues>) => {
    setValues((current) => ({ ...current, ...patch }));
    setNothingToSave(false);
    if (save.isSuccess || save.isError) save.reset();
  };
  const set = (field: FieldName) => (event: { currentTarget: { value: string } }) =>
    change({ [field]: event.currentTarget.value } as Partial<FormValues>);

  // "AI" beside a label while the field still holds the AI's proposal (and the member has not touched it).
  const sources = (listing.ai_suggestion.sources ?? {}) as Record<string, FieldSource>;
  const aiFilled = new Set(listing.ai_fields);
  const mark = (field: FieldName): ReactNode =>
    aiFilled.has(field) && values[field] === base[field] ? <AiMark source={sources[field]} /> : null;

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

  const fields = catalog.data;
  const showMaterial = Boolean(fields?.material) || values.material !== "";
  const generalError = refused && Object.keys(refused.fields).length === 0 ? refused.message : null;

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="flex flex-col gap-4">
      <AiSummary
        listing={listing}
        price={parseMoney(values.price)}
        onUsePrice={(price) => change({ price: moneyInput(price, language) })}
      />
      <div className="grid grid-cols-2 gap-3">
        <Field
          label={t("detail.field.price")}
          mark={mark("price")}
          name="price"
          value={values.price}
          onChange={set("price")}
          error={fieldError("price")}
          inputMode="decimal"
          autoComplete="off"
        />
        <Field
          label={t("detail.field.purchaseCost")}
          name="purchase_cost"
          value={values.purchase_cost}
          onChange={set("purchase_cost")}
          error={fieldError("purchase_cost")}
          inputMode="decimal"
          autoComplete="off"
        />
        <p className="col-span-2 -mt-2 text-xs text-slate-600">{t("detail.field.purchaseCostHint")}</p>
      </div>

      <Card title={t("detail.form")}>
        <div className="flex flex-col gap-4">
          <Field
            label={t("detail.field.title")}
            mark={mark("title")}
            name="title"
            value={values.title}
            onChange={set("title")}
            error={fieldError("title")}
            maxLength={limits.title}
            hint={t("detail.field.chars", { count: values.title.length, max: limits.title })}
            autoComplete="off"
          />
          <TextArea
            label={t("detail.field.description")}
            mark={mark("description")}
            name="description"
            value={values.description}
            onChange={set("description")}
            error={fieldError("description")}
            maxLength={limits.description}
            rows={6}
            hint={t("detail.field.chars", { count: values.description.length, max: limits.description })}
          />
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
            <CategoryPicker
              path={values.category}
              label={t("detail.field.category")}
              mark={mark("category")}
              error={fieldError("category")}
              onPick={(node) => change({ category: node.path, category_id: String(node.id) })}
            />
            <SizeField
              fields={fields}
              sizeId={values.size_id}
              size={values.size}
              maxLength={limits.size}
              label={t("detail.field.size")}
              mark={mark("size")}
              error={fieldError("size")}
              onPick={(id, title) => change({ size_id: id, size: id ? title : "" })}
              onWrite={(text) => change({ size: text, size_id: "" })}
            />
            <Select
              label={t("detail.field.condition")}
              mark={mark("condition")}
              name="condition"
              value={values.condition}
              onChange={set("condition")}
              error={fieldError("condition")}
              hint={fields?.new_only ? t("detail.field.newOnly") : undefined}
            >
              <option value="">{t("detail.field.conditionNone")}</option>
              {meta.vocabulary.conditions.map(({ value }) => (
                <option key={value} value={value}>
                  {t(conditionLabel(value))}
                </option>
              ))}
            </Select>
            <BrandField
              value={values.brand}
              onChange={(brand) => change({ brand })}
              maxLength={limits.brand}
              label={t("detail.field.brand")}
              mark={mark("brand")}
              error={fieldError("brand")}
            />
            {showMaterial ? (
              <Select
                label={t("detail.field.material")}
                mark={mark("material")}
                name="material"
                value={values.material}
                onChange={set("material")}
                error={fieldError("material")}
                hint={t("detail.field.materialHint")}
              >
                <option value="">{t("detail.field.materialNone")}</option>
                {values.material && !meta.vocabulary.materials.some((m) => m.name === values.material) ? (
                  <option value={values.material}>{values.material}</option>
                ) : null}
                {meta.vocabulary.materials.map((material) => (
                  <option key={material.id} value={material.name}>
                    {material.name}
                  </option>
                ))}
              </Select>
            ) : null}
            <ColorField
              meta={meta}
              value={colorList(values.colors)}
              onChange={(colors) => change({ colors: colors.join(", ") })}
              label={t("detail.field.colors")}
              mark={mark("colors")}
              error={fieldError("colors")}
            />
            <ParcelSizeField
              meta={meta}
              value={values.package_size_id}
              onChange={(package_size_id) => change({ package_size_id })}
              label={t("detail.field.parcel")}
              error={fieldError("package_size_id")}
            />
            <Field
              label={t("detail.field.tags")}
              name="tags"
              value={values.tags}
              onChange={set("tags")}
              error={fieldError("tags")}
              hint={t("detail.field.tagsHint", { max: limits.tags })}
              autoComplete="off"
              autoCapitalize="none"
            />
            <Select
              label={t("detail.field.status")}
              name="status"
              value={values.status}
              onChange={set("status")}
              error={fieldError("status")}
            >
              {meta.vocabulary.listing_statuses.map((status) => (
                <option key={status} value={status}>
                  {t(statusLabel(status))}
                </option>
              ))}
            </Select>
          </div>
        </div>
      </Card>

      {refused && !generalError ? <Alert>{refused.message}</Alert> : null}
      {generalError ? <Alert>{generalError}</Alert> : null}
      {save.isSuccess && !dirty ? <Alert kind="success">{t("common.saved")}</Alert> : null}
      {nothingToSave && !dirty ? <Alert kind="info">{t("detail.noChanges")}</Alert> : null}

      <div className="sticky bottom-0 z-10 -mx-4 flex flex-wrap items-center gap-3 border-t border-slate-200 bg-white/95 px-4 py-3 backdrop-blur sm:static sm:mx-0 sm:border-0 sm:bg-transparent sm:p-0">
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
  );
}
