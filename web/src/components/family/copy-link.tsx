"use client";

import { useState } from "react";
import { Button } from "@/components/ui";
import { useI18n } from "@/lib/i18n";

/** A read-only link, selected on focus, with a button that copies it. */
export function CopyLink({ url, testId = "invite-link" }: { url: string; testId?: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <div className="mt-3 flex flex-col gap-2 sm:flex-row">
      <input
        readOnly
        value={url}
        aria-label="Link"
        onFocus={(event) => event.currentTarget.select()}
        data-testid={testId}
        className="min-h-11 flex-1 rounded-lg border border-slate-300 bg-slate-50 px-3 text-sm"
      />
      <Button
        type="button"
        variant="secondary"
        onClick={async () => {
          await navigator.clipboard?.writeText(url).catch(() => undefined);
          setCopied(true);
        }}
      >
        {copied ? t("common.copied") : t("common.copy")}
      </Button>
    </div>
  );
}
