"use client";

import { useEffect, useState, type FormEvent } from "react";
import { Alert, Button, Card, Field } from "@/components/ui";
import { useCreatePairing, usePairingStatus, useVintedState } from "@/components/vinted-link/queries";
import { useAuth } from "@/lib/auth";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { formValues } from "./form-values";
import { useLinkVinted, useUnlinkVinted } from "./queries";

function useSecondsLeft(expiresAt: string | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!expiresAt) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [expiresAt]);
  return expiresAt ? Math.max(0, Math.round((new Date(expiresAt).getTime() - now) / 1000)) : 0;
}

function minutesAndSeconds(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

type Pairing = { id: string; code: string; expires_at: string };

/** The code to type into the extension: big, with its countdown; it follows the server's status. */
function PairingCode({ pairing, onAgain, again }: { pairing: Pairing; onAgain: () => void; again: boolean }) {
  const { t } = useI18n();
  const status = usePairingStatus(pairing.id);
  const secondsLeft = useSecondsLeft(pairing.expires_at);
  const state = status.data?.state ?? "waiting";
  const expired = state === "expired" || (state === "waiting" && secondsLeft === 0);
  if (state === "linked") {
    return (
      <div className="mt-4">
        <Alert kind="success">{t("vinted.code.done")}</Alert>
      </div>
    );
  }
  return (
    <div className="mt-4 rounded-lg border border-slate-300 bg-slate-50 p-4" data-testid="vinted-pairing">
      <p className="text-sm font-medium text-slate-700">{t("vinted.code.label")}</p>
      <p
        className="mt-1 select-all font-mono text-4xl font-bold tracking-[0.2em] text-slate-900 sm:text-5xl"
        data-testid="vinted-code"
        aria-label={pairing.code.split("").join(" ")}
      >
        {pairing.code.slice(0, 4)}
        <span aria-hidden="true"> </span>
        {pairing.code.slice(4)}
      </p>
      <p className="mt-2 break-all text-sm text-slate-700">
        {t("vinted.code.address", { address: typeof window === "undefined" ? "" : window.location.origin })}
      </p>
      <p className="mt-2 text-sm" role="status" aria-live="polite">
        {expired ? t("vinted.code.expired") : t("vinted.code.waiting")}
      </p>
      {expired ? (
        <Button className="mt-3" onClick={onAgain} busy={again}>
          {t("vinted.code.again")}
        </Button>
      ) : (
        <p className="mt-1 text-sm text-slate-600" aria-live="off">
          {t("vinted.code.expiresIn", { time: minutesAndSeconds(secondsLeft) })}
        </p>
      )}
    </div>
  );
}

/** The manual fallback: the two cookies pasted from a computer's developer tools, explained step by step. */
function ManualPaste() {
  const { t } = useI18n();
  const link = useLinkVinted();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    const form = event.currentTarget;
    const values = formValues(event);
    link.mutate(
      { access_token_web: values.access_token_web.trim(), refresh_token_web: values.refresh_token_web.trim() },
      { onSuccess: () => form.reset() },
    );
  };
  return (
    <details className="mt-6 rounded-lg border border-slate-200 p-3">
      <summary className="cursor-pointer font-medium text-slate-800">{t("vinted.manual.summary")}</summary>
      <p className="mt-3 text-sm text-slate-700">{t("vinted.manual.explain")}</p>
      <ol className="mt-2 list-decimal space-y-1 pl-5 text-sm text-slate-700">
        <li>{t("vinted.manual.step1")}</li>
        <li>{t("vinted.manual.step2")}</li>
        <li>{t("vinted.manual.step3")}</li>
      </ol>
      {link.error ? (
        <div className="mt-3">
          <Alert>{errorMessage(link.error, t)}</Alert>
        </div>
      ) : null}
      <form onSubmit={submit} className="mt-4 flex flex-col gap-4" noValidate>
        <Field label={t("settings.vinted.access")} name="access_token_web" autoComplete="off" spellCheck={false} required />
        <Field label={t("settings.vinted.refresh")} name="refresh_token_web" autoComplete="off" spellCheck={false} required />
        <Button type="submit" busy={link.isPending}>
          {t("settings.vinted.link")}
        </Button>
      </form>
    </details>
  );
}

/** Impostazioni → Vinted: the link's state, the pairing with the browser extension, the manual fallback. */
export function VintedLink() {
  const { t } = useI18n();
  const { user, reloadUser } = useAuth();
  const state = useVintedState();
  const createPairing = useCreatePairing();
  const unlink = useUnlinkVinted();
  const [pairing, setPairing] = useState<Pairing | null>(null);
  const status = state.data?.status ?? user?.vinted_status ?? "not_linked";
  const vintedUserId = state.data?.vintedUserId ?? user?.vinted_user_id ?? null;

  // The rest of the app (publishing, the sales sync) reads the signed-in user: keep it in step.
  useEffect(() => {
    if (user && state.data && state.data.status !== user.vinted_status) void reloadUser();
  }, [state.data, user, reloadUser]);

  if (!user) return null;
  const start = () => createPairing.mutate(undefined, { onSuccess: (created) => setPairing(created) });
  const failure = createPairing.error ?? unlink.error;
  const linked = status === "linked";
  return (
    <Card title={t("settings.vinted")}>
      <p className="text-sm text-slate-700">{t("settings.vinted.explain")}</p>
      <p
        className={`mt-4 text-lg font-semibold ${linked ? "text-green-800" : status === "dead" ? "text-red-700" : "text-slate-800"}`}
        data-testid="vinted-status"
        role="status"
        aria-live="polite"
      >
        {linked
          ? vintedUserId
            ? t("vinted.status.linkedAs", { id: vintedUserId })
            : t("vinted.status.linked")
          : status === "dead"
            ? t("vinted.status.dead")
            : t("vinted.status.notLinked")}
      </p>
      {failure ? (
        <div className="mt-4">
          <Alert>{errorMessage(failure, t)}</Alert>
        </div>
      ) : null}
      {linked ? (
        <>
          <p className="mt-2 text-sm text-slate-600">{t("vinted.linkedExplain")}</p>
          <Button className="mt-4" variant="secondary" onClick={() => unlink.mutate()} busy={unlink.isPending}>
            {t("settings.vinted.unlink")}
          </Button>
        </>
      ) : (
        <>
          {status === "dead" ? <p className="mt-2 text-sm text-slate-700">{t("vinted.deadExplain")}</p> : null}
          <h3 className="mt-6 font-semibold text-slate-900">{t("vinted.extension.title")}</h3>
          <ol className="mt-2 list-decimal space-y-1 pl-5 text-sm text-slate-700">
            <li>{t("vinted.extension.step1")}</li>
            <li>{t("vinted.extension.step2")}</li>
            <li>{t("vinted.extension.step3")}</li>
            <li>{t("vinted.extension.step4")}</li>
          </ol>
          {pairing ? (
            <PairingCode pairing={pairing} onAgain={start} again={createPairing.isPending} />
          ) : (
            <Button className="mt-4" onClick={start} busy={createPairing.isPending}>
              {status === "dead" ? t("vinted.extension.relink") : t("vinted.extension.start")}
            </Button>
          )}
          <ManualPaste />
        </>
      )}
    </Card>
  );
}
