"use client";
// Impostazioni → Spedizioni: the family's sender address, its Sendcloud keys (write-only: never shown,
// only "chiavi salvate"), the webhook address to paste in Sendcloud, and 17TRACK's quota. Every member
// reads it (GET /shipments/account); only the family admin writes it and sees the quota (FamilyAdmin).
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2, KeyRound } from "lucide-react";
import { useState } from "react";
import { copyText } from "@/components/listings/clipboard";
import { ConfirmPanel } from "@/components/listings/confirm";
import { Alert, Button, Card, Field, Loading } from "@/components/ui";
import { api, unwrap, type Schemas } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useAuth } from "@/lib/auth";
import { useFormErrors } from "@/lib/form-errors";
import { useI18n } from "@/lib/i18n";
import { AddressFields, addressNames, readAddress, type Address } from "./address-fields";
import { shipmentKeys, useShippingAccount, useTrackingQuota } from "./queries";

type Account = Schemas["AccountRead"];
const SENDER_FIELDS = addressNames("sender_address");
const KEY_FIELDS = ["sendcloud_public_key", "sendcloud_secret_key"] as const;

function useSaveAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas["AccountUpdate"]) => unwrap(await api.PUT("/api/v1/shipments/account", { body })),
    onSuccess: (account) => queryClient.setQueryData(shipmentKeys.account(), account),
  });
}

function AddressSummary({ address }: { address: Address }) {
  const lines = [
    address.name,
    address.company_name,
    `${address.address_line_1} ${address.house_number}`,
    address.address_line_2,
    `${address.postal_code} ${address.city} (${address.country_code})`,
    address.phone_number,
    address.email,
  ].filter(Boolean);
  return (
    <address className="text-sm not-italic text-slate-800">
      {lines.map((line) => (
        <span key={line} className="block">
          {line}
        </span>
      ))}
    </address>
  );
}

function SenderForm({ account }: { account: Account }) {
  const { t } = useI18n();
  const errors = useFormErrors(SENDER_FIELDS);
  const save = useSaveAccount();
  const [saved, setSaved] = useState(false);
  return (
    <form
      ref={errors.formRef}
      noValidate
      aria-labelledby="sender-title"
      className="flex flex-col gap-4"
      onSubmit={(event) => {
        event.preventDefault();
        setSaved(false);
        if (!errors.check(event.currentTarget)) return;
        save.mutate(
          { sender_address: readAddress(event.currentTarget, "sender_address") },
          {
            onError: errors.fail,
            onSuccess: () => {
              errors.clear();
              setSaved(true);
            },
          },
        );
      }}
    >
      <h3 id="sender-title" className="text-base font-semibold text-slate-900">
        {t("shipments.settings.sender")}
      </h3>
      {errors.message ? <Alert>{errors.message}</Alert> : null}
      {saved ? <Alert kind="success">{t("shipments.settings.senderSaved")}</Alert> : null}
      <AddressFields prefix="sender_address" errors={errors.fields} initial={account.sender_address} />
      <Button type="submit" busy={save.isPending} className="self-start">
        {t("shipments.settings.senderSave")}
      </Button>
    </form>
  );
}

function KeysState({ saved }: { saved: boolean }) {
  const { t } = useI18n();
  return saved ? (
    <p className="inline-flex items-center gap-1 rounded-full bg-emerald-50 px-3 py-1 text-sm font-medium text-emerald-900 ring-1 ring-inset ring-emerald-300">
      <CheckCircle2 aria-hidden="true" className="h-4 w-4" />
      {t("shipments.settings.keysSaved")}
    </p>
  ) : (
    <p className="inline-flex items-center gap-1 rounded-full bg-slate-100 px-3 py-1 text-sm font-medium text-slate-800 ring-1 ring-inset ring-slate-300">
      <KeyRound aria-hidden="true" className="h-4 w-4" />
      {t("shipments.settings.keysMissing")}
    </p>
  );
}

function KeysForm({ account }: { account: Account }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const errors = useFormErrors(KEY_FIELDS);
  const save = useSaveAccount();
  const [done, setDone] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: async () => unwrap(await api.DELETE("/api/v1/shipments/account/keys")),
    onSuccess: () => {
      setConfirming(false);
      setDone(t("shipments.settings.keysRemoved"));
      void queryClient.invalidateQueries({ queryKey: shipmentKeys.account() });
    },
  });
  return (
    <form
      ref={errors.formRef}
      noValidate
      aria-labelledby="keys-title"
      className="flex flex-col gap-4"
      onSubmit={(event) => {
        event.preventDefault();
        setDone(null);
        const form = event.currentTarget;
        if (!errors.check(form)) return;
        const data = new FormData(form);
        save.mutate(
          {
            sendcloud_public_key: String(data.get("sendcloud_public_key") ?? "").trim(),
            sendcloud_secret_key: String(data.get("sendcloud_secret_key") ?? "").trim(),
          },
          {
            onError: errors.fail,
            onSuccess: () => {
              errors.clear();
              form.reset(); // the keys leave the page once saved
              setDone(t("shipments.settings.keysDone"));
            },
          },
        );
      }}
    >
      <h3 id="keys-title" className="text-base font-semibold text-slate-900">
        {t("shipments.settings.keys")}
      </h3>
      <div>
        <KeysState saved={account.has_sendcloud_keys} />
      </div>
      <p className="text-sm text-slate-600">
        {t("shipments.settings.keysHint")}
        {account.has_sendcloud_keys ? ` ${t("shipments.settings.keysReplace")}` : ""}
      </p>
      {errors.message ? <Alert>{errors.message}</Alert> : null}
      {done ? <Alert kind="success">{done}</Alert> : null}
      <Field
        label={t("shipments.settings.publicKey")}
        name="sendcloud_public_key"
        type="password"
        autoComplete="off"
        spellCheck={false}
        required
        error={errors.fields.sendcloud_public_key}
      />
      <Field
        label={t("shipments.settings.secretKey")}
        name="sendcloud_secret_key"
        type="password"
        autoComplete="off"
        spellCheck={false}
        required
        error={errors.fields.sendcloud_secret_key}
      />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" busy={save.isPending}>
          {t("shipments.settings.keysSave")}
        </Button>
        {account.has_sendcloud_keys && !confirming ? (
          <Button type="button" variant="secondary" onClick={() => {
              setDone(null);
              setConfirming(true);
            }}>
            {t("shipments.settings.keysRemove")}
          </Button>
        ) : null}
      </div>
      {confirming ? (
        <ConfirmPanel
          message={t("shipments.settings.keysRemoveConfirm")}
          confirmLabel={t("shipments.settings.keysRemove")}
          onConfirm={() => remove.mutate()}
          onCancel={() => setConfirming(false)}
          busy={remove.isPending}
        >
          {remove.isError ? <Alert>{errorMessage(remove.error, t)}</Alert> : null}
        </ConfirmPanel>
      ) : null}
    </form>
  );
}

function Webhook({ url }: { url: string | null }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState<boolean | null>(null);
  return (
    <section aria-labelledby="webhook-title" className="flex flex-col gap-2">
      <h3 id="webhook-title" className="text-base font-semibold text-slate-900">
        {t("shipments.settings.webhook")}
      </h3>
      {url ? (
        <>
          <p className="text-sm text-slate-600">{t("shipments.settings.webhookHint")}</p>
          <div className="flex flex-col gap-2 sm:flex-row">
            <Field
              label={t("shipments.settings.webhook")}
              className="flex-1 [&_label]:sr-only"
              value={url}
              readOnly
              onFocus={(event) => event.currentTarget.select()}
            />
            <Button
              type="button"
              variant="secondary"
              aria-label={t("shipments.settings.webhookCopy")}
              className="sm:self-start"
              onClick={() => void copyText(url).then(setCopied)}
            >
              {copied ? t("common.copied") : t("common.copy")}
            </Button>
          </div>
          <p role="status" className="sr-only">
            {copied ? t("common.copied") : ""}
          </p>
        </>
      ) : (
        <p className="text-sm text-slate-600">{t("shipments.settings.webhookNone")}</p>
      )}
    </section>
  );
}

/** 17TRACK's registrations, asked on demand: each look costs a call to 17TRACK, and a server without a
 * 17TRACK key answers that tracking is off. */
function Quota() {
  const { t } = useI18n();
  const [asked, setAsked] = useState(false);
  const quota = useTrackingQuota(asked);
  return (
    <section aria-labelledby="quota-title" className="flex flex-col gap-2">
      <h3 id="quota-title" className="text-base font-semibold text-slate-900">
        {t("shipments.settings.quota")}
      </h3>
      <p className="text-xs text-slate-600">{t("shipments.settings.quotaHint")}</p>
      {!asked ? (
        <Button type="button" variant="secondary" className="self-start" onClick={() => setAsked(true)}>
          {t("shipments.settings.quotaCheck")}
        </Button>
      ) : quota.isPending ? (
        <Loading label={t("common.loading")} />
      ) : quota.isError ? (
        <p role="status" className="text-sm text-slate-700">
          {errorMessage(quota.error, t)}
        </p>
      ) : (
        <p role="status" className="text-sm text-slate-800">
          {t("shipments.settings.quotaLine", {
            used: quota.data.quota_used,
            total: quota.data.quota_total,
            remain: quota.data.quota_remain,
            today: quota.data.today_used,
          })}
        </p>
      )}
    </section>
  );
}

export function ShippingSettings() {
  const { t } = useI18n();
  const { user } = useAuth();
  const account = useShippingAccount(Boolean(user?.family));
  const admin = user?.role === "admin";
  if (!user?.family) return null;
  return (
    <div id="spedizioni" className="scroll-mt-4">
      <Card title={t("shipments.settings.title")}>
        {account.isPending ? (
          <Loading label={t("common.loading")} />
        ) : account.isError ? (
          <Alert>{errorMessage(account.error, t)}</Alert>
        ) : (
          <div className="flex flex-col gap-6">
            <p className="text-sm text-slate-700">{t("shipments.settings.intro")}</p>
            {admin ? (
              <>
                <SenderForm account={account.data} />
                <KeysForm account={account.data} />
                <Webhook url={account.data.sendcloud_webhook_url} />
                <Quota />
              </>
            ) : (
              <>
                <Alert kind="info">{t("shipments.settings.adminOnly")}</Alert>
                <section aria-labelledby="sender-title" className="flex flex-col gap-2">
                  <h3 id="sender-title" className="text-base font-semibold text-slate-900">
                    {t("shipments.settings.sender")}
                  </h3>
                  {account.data.sender_address ? (
                    <AddressSummary address={account.data.sender_address} />
                  ) : (
                    <p className="text-sm text-slate-600">{t("shipments.settings.senderNone")}</p>
                  )}
                </section>
                <section aria-labelledby="keys-title" className="flex flex-col gap-2">
                  <h3 id="keys-title" className="text-base font-semibold text-slate-900">
                    {t("shipments.settings.keys")}
                  </h3>
                  <div>
                    <KeysState saved={account.data.has_sendcloud_keys} />
                  </div>
                </section>
              </>
            )}
          </div>
        )}
      </Card>
    </div>
  );
}
