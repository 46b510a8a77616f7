"use client";

// The fields of Vinted's own form that depend on the category (size, parcel size, material), the colours
// from Vinted's list, the brand with suggestions, and the mark that says a value is still the AI's.
import { Check, Sparkles } from "lucide-react";
import { useId, useState, type KeyboardEvent, type ReactNode } from "react";
import type { CatalogFields, Meta } from "@/components/meta/queries";
import { CONTROL, FieldLabel, FieldNotes, describedBy } from "@/components/ui";
import { useSettled } from "@/lib/use-settled";
import { useI18n } from "@/lib/i18n";
import { useBrandSuggestions } from "./queries";

export type FieldSource = "model" | "label" | "pixels";

/** "Suggested by the AI" beside a label, while the value is still the one proposed. */
export function AiMark({ source }: { source: FieldSource | undefined }) {
  const { t } = useI18n();
  const text = source === "label" ? t("ai.mark.label") : source === "pixels" ? t("ai.mark.pixels") : t("ai.mark.model");
  return (
    <span className="inline-flex items-center gap-1 rounded-full bg-violet-100 px-2 py-0.5 align-middle text-xs font-medium text-violet-900">
      <Sparkles aria-hidden="true" className="h-3 w-3" />
      {text}
    </span>
  );
}

/** Vinted's parcel sizes as three big choices (Vinted requires one to publish). */
export function ParcelSizeField({
  meta,
  value,
  onChange,
  label,
  error,
}: {
  meta: Meta;
  value: string;
  onChange: (value: string) => void;
  label: ReactNode;
  error?: string;
}) {
  const { t } = useI18n();
  const id = useId();
  return (
    <fieldset className="flex min-w-0 flex-col gap-2 sm:col-span-2" aria-describedby={describedBy(id, t("parcel.hint"), error)}>
      <legend className="mb-1 text-sm font-medium text-slate-800">{label}</legend>
      <div className="grid grid-cols-1 gap-2 sm:grid-cols-3">
        {meta.vocabulary.package_sizes.map((size) => {
          const checked = value === String(size.id);
          return (
            <label
              key={size.id}
              className={`flex min-h-11 cursor-pointer items-start gap-2 rounded-lg border px-3 py-2 ${
                checked ? "border-teal-600 bg-teal-50" : "border-slate-300 bg-white hover:bg-slate-50"
              }`}
            >
              <input
                type="radio"
                name="package_size_id"
                value={size.id}
                checked={checked}
                onChange={() => onChange(String(size.id))}
                className="mt-1 h-4 w-4 accent-teal-700"
              />
              <span className="flex flex-col">
                <span className="font-medium text-slate-900">{size.title}</span>
                <span className="text-xs text-slate-600">{size.hint}</span>
              </span>
            </label>
          );
        })}
      </div>
      <FieldNotes id={id} hint={t("parcel.hint")} error={error} />
    </fieldset>
  );
}

/** The category's sizes to choose from; without a category (or for one with no sizes), words. */
export function SizeField({
  fields,
  sizeId,
  size,
  onPick,
  onWrite,
  label,
  mark,
  error,
  maxLength,
}: {
  mark?: ReactNode;
  fields: CatalogFields | undefined;
  sizeId: string;
  size: string;
  onPick: (id: string, title: string) => void;
  onWrite: (text: string) => void;
  label: ReactNode;
  error?: string;
  maxLength: number;
}) {
  const { t } = useI18n();
  const id = useId();
  const sizes = fields?.sizes ?? [];
  if (sizes.length === 0) {
    const hint = fields ? t("size.noneForCategory") : t("size.chooseCategory");
    return (
      <div className="flex min-w-0 flex-col gap-1">
        <FieldLabel id={id} label={label} mark={mark} />
        <input
          id={id}
          name="size"
          value={size}
          maxLength={maxLength}
          autoComplete="off"
          onChange={(event) => onWrite(event.currentTarget.value)}
          aria-describedby={describedBy(id, hint, error, mark)}
          aria-invalid={error ? true : undefined}
          className={`${CONTROL} ${error ? "border-red-500" : "border-slate-300"}`}
        />
        <FieldNotes id={id} hint={hint} error={error} />
      </div>
    );
  }
  // Words the member (or the AI) wrote that are not one of Vinted's sizes stay visible until one is picked.
  const written = !sizeId && size ? t("size.written", { size }) : undefined;
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <FieldLabel id={id} label={label} mark={mark} />
      <select
        id={id}
        name="size_id"
        value={sizeId}
        onChange={(event) => {
          const chosen = sizes.find((option) => String(option.id) === event.currentTarget.value);
          onPick(event.currentTarget.value, chosen?.title ?? "");
        }}
        aria-describedby={describedBy(id, written, error, mark)}
        aria-invalid={error ? true : undefined}
        className={`${CONTROL} ${error ? "border-red-500" : "border-slate-300"}`}
      >
        <option value="">{t("size.choose")}</option>
        {sizes.map((option) => (
          <option key={option.id} value={option.id}>
            {option.title}
          </option>
        ))}
      </select>
      <FieldNotes id={id} hint={written} error={error} />
    </div>
  );
}

/** Vinted's colours as swatches: at most `max`, tapping a chosen one takes it away. */
export function ColorField({
  meta,
  value,
  onChange,
  label,
  mark,
  error,
}: {
  mark?: ReactNode;
  meta: Meta;
  value: string[];
  onChange: (value: string[]) => void;
  label: ReactNode;
  error?: string;
}) {
  const { t } = useI18n();
  const id = useId();
  const max = meta.limits.listing.colors;
  const full = value.length >= max;
  const hint = t("colors.hint", { max });
  return (
    <fieldset className="flex min-w-0 flex-col gap-2 sm:col-span-2" aria-describedby={describedBy(id, hint, error, mark)}>
      <legend className="mb-1 text-sm font-medium text-slate-800">
        {label}
        {mark ? <span className="ml-2">{mark}</span> : null}
      </legend>
      <div className="flex flex-wrap gap-2">
        {meta.vocabulary.colors.map((color) => {
          const chosen = value.includes(color.name);
          return (
            <button
              key={color.id}
              type="button"
              aria-pressed={chosen}
              disabled={full && !chosen}
              onClick={() => onChange(chosen ? value.filter((name) => name !== color.name) : [...value, color.name])}
              className={`inline-flex min-h-11 items-center gap-2 rounded-full border px-3 text-sm disabled:opacity-40 ${
                chosen ? "border-teal-700 bg-teal-50 font-semibold text-teal-950" : "border-slate-300 bg-white text-slate-800"
              }`}
            >
              <span
                aria-hidden="true"
                className="h-5 w-5 shrink-0 rounded-full border border-slate-300"
                style={{
                  background:
                    color.hex ?? "conic-gradient(#e11d48, #f59e0b, #16a34a, #2563eb, #9333ea, #e11d48)",
                }}
              />
              {color.name}
              {chosen ? <Check aria-hidden="true" className="h-4 w-4" /> : null}
            </button>
          );
        })}
      </div>
      <FieldNotes id={id} hint={hint} error={error} />
    </fieldset>
  );
}

/** The brand, with the family's own brands and the market's suggested as the member types (a combobox). */
export function BrandField({
  value,
  onChange,
  label,
  mark,
  error,
  maxLength,
}: {
  mark?: ReactNode;
  value: string;
  onChange: (value: string) => void;
  label: ReactNode;
  error?: string;
  maxLength: number;
}) {
  const { t } = useI18n();
  const id = useId();
  const listId = `${id}-list`;
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const typed = useSettled(value.trim());
  const suggestions = useBrandSuggestions(typed, open);
  const items = (suggestions.data?.items ?? []).filter((item) => item.name !== value.trim());
  const expanded = open && items.length > 0;

  function pick(name: string) {
    onChange(name);
    setOpen(false);
    setActive(-1);
  }

  function onKey(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      setOpen(true);
      setActive((current) => (current + 1) % items.length);
    } else if (event.key === "ArrowUp" && items.length) {
      event.preventDefault();
      setActive((current) => (current <= 0 ? items.length - 1 : current - 1));
    } else if (event.key === "Enter" && expanded && active >= 0) {
      event.preventDefault();
      pick(items[active].name);
    } else if (event.key === "Escape") {
      setOpen(false);
    }
  }

  return (
    <div className="relative flex min-w-0 flex-col gap-1">
      <FieldLabel id={id} label={label} mark={mark} />
      <input
        id={id}
        name="brand"
        role="combobox"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
        aria-describedby={describedBy(id, undefined, error, mark)}
        aria-invalid={error ? true : undefined}
        value={value}
        maxLength={maxLength}
        autoComplete="off"
        onChange={(event) => {
          onChange(event.currentTarget.value);
          setOpen(true);
          setActive(-1);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKey}
        className={`${CONTROL} ${error ? "border-red-500" : "border-slate-300"}`}
      />
      <ul
        id={listId}
        role="listbox"
        aria-label={t("brand.suggestions")}
        hidden={!expanded}
        className="absolute left-0 right-0 top-full z-20 mt-1 max-h-64 overflow-auto rounded-lg border border-slate-200 bg-white p-1 shadow-lg"
      >
        {items.map((item, index) => (
          <li
            key={item.name}
            id={`${listId}-${index}`}
            role="option"
            aria-selected={index === active}
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => pick(item.name)}
            className={`flex min-h-11 cursor-pointer items-center justify-between gap-2 rounded-md px-3 py-2 ${
              index === active ? "bg-teal-50" : "hover:bg-slate-100"
            }`}
          >
            <span className="text-slate-900">{item.name}</span>
            <span className="text-xs text-slate-600">
              {item.source === "family" ? t("brand.family") : t("brand.market")}
            </span>
          </li>
        ))}
      </ul>
      <FieldNotes id={id} error={error} />
    </div>
  );
}
