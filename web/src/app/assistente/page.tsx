"use client";

// The assistant: /assistente (a new conversation) or /assistente?sessione=<uuid> (an open one).
import { Suspense } from "react";
import { AppShell, PageTitle } from "@/components/app-shell";
import { Assistant } from "@/components/chat/assistant";
import { WithMeta } from "@/components/meta/with-meta";
import { Alert, Spinner } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import { useI18n } from "@/lib/i18n";

function AssistantPage() {
  const { t } = useI18n();
  const { user } = useAuth();
  return (
    <>
      <PageTitle>{t("chat.title")}</PageTitle>
      {user?.family ? (
        <>
          <p className="-mt-4 mb-4 text-slate-600">{t("chat.intro")}</p>
          <WithMeta>{(meta) => <Assistant max={meta.limits.chat.message} />}</WithMeta>
        </>
      ) : (
        <Alert kind="info">{t("chat.noFamily")}</Alert>
      )}
    </>
  );
}

export default function Page() {
  return (
    <AppShell>
      <Suspense
        fallback={
          <p role="status" className="flex items-center gap-2 text-slate-600">
            <Spinner />
          </p>
        }
      >
        <AssistantPage />
      </Suspense>
    </AppShell>
  );
}
