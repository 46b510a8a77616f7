"use client";
// An address as Sendcloud takes it, in a form: the buyer's (to_address) or the family's (sender_address).
// The inputs are named as the API names the fields ("to_address.city"), so a 422 lands under its field.
import { useMemo } from "react";
import { Field, Select } from "@/components/ui";
import type { Schemas } from "@/lib/api";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";

export type Address = Schemas["Address"];
export type AddressPart = keyof Address;
export type AddressPrefix = "to_address" | "sender_address";

// The countries Sendcloud ships to from Italy that a family is likely to meet (Vinted's EU markets).
const COUNTRIES = ["IT", "AT", "BE", "CZ", "DE", "DK", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "LT", "LU", "NL", "PL", "PT", "RO", "SE", "SI", "SK"];

const PARTS: { part: AddressPart; label: MessageKey; autocomplete: string; required?: boolean; wide?: boolean }[] = [
  { part: "name", label: "shipments.address.name", autocomplete: "name", required: true, wide: true },
  { part: "company_name", label: "shipments.address.company", autocomplete: "organization", wide: true },
  { part: "address_line_1", label: "shipments.address.street", autocomplete: "address-line1", required: true },
  // No autofill word names a house number alone (it is part of address-line1).
  { part: "house_number", label: "shipments.address.houseNumber", autocomplete: "off", required: true },
  { part: "address_line_2", label: "shipments.address.line2", autocomplete: "address-line2", wide: true },
  { part: "postal_code", label: "shipments.address.postalCode", autocomplete: "postal-code", required: true },
  { part: "city", label: "shipments.address.city", autocomplete: "address-level2", required: true },
];

export function addressNames<P extends AddressPrefix>(prefix: P): `${P}.${AddressPart}`[] {
  const parts: AddressPart[] = [...PARTS.map((item) => item.part), "country_code", "email", "phone_number"];
  return parts.map((part) => `${prefix}.${part}` as const);
}

/** The address typed in `form` under `prefix`; empty optional parts are left out. */
export function readAddress(form: HTMLFormElement, prefix: AddressPrefix): Address {
  const data = new FormData(form);
  const value = (part: AddressPart) => String(data.get(`${prefix}.${part}`) ?? "").trim();
  const optional = (part: AddressPart) => value(part) || undefined;
  return {
    name: value("name"),
    company_name: optional("company_name"),
    address_line_1: value("address_line_1"),
    house_number: value("house_number"),
    address_line_2: optional("address_line_2"),
    postal_code: value("postal_code"),
    city: value("city"),
    country_code: value("country_code") || "IT",
    email: optional("email"),
    phone_number: optional("phone_number"),
  };
}

export function AddressFields({
  prefix,
  errors,
  initial,
  country,
  onCountry,
  disabled = false,
}: {
  prefix: AddressPrefix;
  errors: Partial<Record<string, string>>;
  initial?: Partial<Address> | null;
  country?: string;
  onCountry?: (country: string) => void;
  disabled?: boolean;
}) {
  const { t, language } = useI18n();
  // The buyer's address is not the person's own: its own section keeps the browser's autofill apart.
  const section = prefix === "to_address" ? "section-buyer shipping " : "section-sender ";
  const names = useMemo(() => {
    const display = new Intl.DisplayNames([language === "it" ? "it-IT" : "en-GB"], { type: "region" });
    return COUNTRIES.map((code) => ({ code, name: display.of(code) ?? code })).sort((a, b) =>
      a.code === "IT" ? -1 : b.code === "IT" ? 1 : a.name.localeCompare(b.name),
    );
  }, [language]);
  const name = (part: AddressPart) => `${prefix}.${part}`;
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      {PARTS.map(({ part, label, autocomplete, required, wide }) => (
        <Field
          key={part}
          label={t(label)}
          name={name(part)}
          autoComplete={autocomplete === "off" ? "off" : section + autocomplete}
          required={required}
          defaultValue={(initial?.[part] as string | null | undefined) ?? ""}
          error={errors[name(part)]}
          disabled={disabled}
          className={wide ? "sm:col-span-2" : ""}
          inputMode={part === "postal_code" ? "numeric" : undefined}
        />
      ))}
      <Select
        label={t("shipments.address.country")}
        name={name("country_code")}
        autoComplete={section + "country"}
        {...(country !== undefined
          ? { value: country, onChange: (event) => onCountry?.(event.target.value) }
          : { defaultValue: initial?.country_code ?? "IT" })}
        error={errors[name("country_code")]}
        disabled={disabled}
      >
        {names.map(({ code, name: label }) => (
          <option key={code} value={code}>
            {label}
          </option>
        ))}
      </Select>
      <Field
        label={t("shipments.address.phone")}
        name={name("phone_number")}
        type="tel"
        autoComplete={section + "tel"}
        hint={t("shipments.address.phoneHint")}
        defaultValue={initial?.phone_number ?? ""}
        error={errors[name("phone_number")]}
        disabled={disabled}
      />
      <Field
        label={t("shipments.address.email")}
        name={name("email")}
        type="email"
        autoComplete={section + "email"}
        defaultValue={initial?.email ?? ""}
        error={errors[name("email")]}
        disabled={disabled}
        className="sm:col-span-2"
      />
    </div>
  );
}
