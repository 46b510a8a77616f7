"use client";

import type { ReactNode } from "react";
import { Alert, Loading } from "@/components/ui";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import { useMeta, type Meta } from "./queries";

/** `children(meta)` once the server's vocabulary and limits are here; until then a loading line, or the error. */
export function WithMeta({ children }: { children: (meta: Meta) => ReactNode }) {
  const { t } = useI18n();
  const meta = useMeta();
  if (meta.isPending) return <Loading label={t("common.loading")} className="py-8" />;
  if (meta.isError) return <Alert>{errorMessage(meta.error, t)}</Alert>;
  return children(meta.data);
}
