"use client";

import { Alert, Button, Card } from "@/components/ui";
import { errorMessage } from "@/lib/errors";
import { formatDate } from "@/lib/format";
import { useI18n } from "@/lib/i18n";
import { describeUserAgent } from "@/lib/user-agent";
import { useRevokeSession, useSessions } from "./queries";

/** The devices signed in to this account; any but this one can be signed out. */
export function SessionList() {
  const { t, language } = useI18n();
  const sessions = useSessions();
  const revoke = useRevokeSession();
  return (
    <Card title={t("settings.sessions")}>
      {sessions.isError ? <Alert>{errorMessage(sessions.error, t)}</Alert> : null}
      {revoke.isError ? <Alert>{errorMessage(revoke.error, t)}</Alert> : null}
      <ul className="divide-y divide-slate-100" aria-label={t("settings.sessions")}>
        {(sessions.data ?? []).map((session) => (
          <li key={session.jti} className="flex flex-wrap items-center justify-between gap-2 py-3">
            <div className="min-w-0">
              <p className="text-sm font-medium text-slate-900" title={session.user_agent ?? undefined}>
                {describeUserAgent(session.user_agent)}
                {session.current ? (
                  <span className="ml-2 rounded-full bg-teal-50 px-2 py-0.5 text-xs text-teal-800">
                    {t("settings.sessions.current")}
                  </span>
                ) : null}
              </p>
              <p className="text-sm text-slate-600">
                {session.ip ?? ""} · {t("settings.sessions.lastUsed", { date: formatDate(session.last_used_at, language, true) })}
              </p>
            </div>
            {session.current ? null : (
              <Button variant="ghost" onClick={() => revoke.mutate(session.jti)} busy={revoke.isPending}>
                {t("settings.sessions.revoke")}
              </Button>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}
