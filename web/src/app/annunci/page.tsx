"use client";

// One static page, three views chosen by the query string (static export: no page per id):
//   /annunci            the list (filters in the query string too)
//   /annunci?nuovo=1    upload the photos of a new item
//   /annunci?id=<uuid>  review and edit one listing
import { useQueryClient } from "@tanstack/react-query";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense, useCallback, useEffect, useState } from "react";
import { AppShell } from "@/components/app-shell";
import { BackLink, ListingDetail } from "@/components/listings/listing-detail";
import { ListingList } from "@/components/listings/listing-list";
import { storeListing } from "@/components/listings/queries";
import { UploadPanel } from "@/components/listings/upload-panel";
import { WithMeta } from "@/components/meta/with-meta";
import { Alert, Card, Spinner } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import { useI18n } from "@/lib/i18n";
import type { DuplicateWarning, UploadResult } from "@/lib/upload";

interface Flash {
  target: string;
  text: string;
}

// The list's filters, remembered so "back" from a listing returns to the same search.
let lastListSearch = "";

function NewListing({ backHref, onUploaded }: { backHref: string; onUploaded: (result: UploadResult) => void }) {
  const { t } = useI18n();
  return (
    <>
      <BackLink href={backHref}>{t("upload.back")}</BackLink>
      <h1 className="mb-6 text-2xl font-bold text-slate-900">{t("upload.title")}</h1>
      <Card>
        <WithMeta>
          {({ limits }) => (
            <>
              <p className="text-base text-slate-800">{t("upload.intro", { max: limits.upload.max_files })}</p>
              <p className="mt-2 mb-4 text-sm text-slate-600">{t("upload.tips")}</p>
              <UploadPanel limits={limits.upload} onUploaded={onUploaded} />
            </>
          )}
        </WithMeta>
      </Card>
    </>
  );
}

function Listings() {
  const { t } = useI18n();
  const { user } = useAuth();
  const params = useSearchParams();
  const router = useRouter();
  const queryClient = useQueryClient();
  const id = params.get("id");
  const isNew = params.get("nuovo") === "1";
  const location = id ? `id:${id}` : isNew ? "new" : "list";
  const [flash, setFlash] = useState<Flash | null>(null);
  const [duplicates, setDuplicates] = useState<Record<string, DuplicateWarning[]>>({});

  if (location === "list") lastListSearch = params.toString();
  const backHref = lastListSearch ? `/annunci?${lastListSearch}` : "/annunci";

  // A message belongs to the view it was written for; moving on clears it. A new view starts at the top.
  useEffect(() => {
    setFlash((current) => (current && current.target !== location ? null : current));
    window.scrollTo({ top: 0 });
  }, [location]);

  const onFlash = useCallback((target: string, text: string) => setFlash({ target, text }), []);

  if (!user?.family) return <Alert kind="info">{t("listings.noFamily")}</Alert>;

  const notice = flash && flash.target === location ? <Alert kind="success">{flash.text}</Alert> : null;

  if (id) {
    return (
      <ListingDetail
        key={id}
        id={id}
        backHref={backHref}
        notice={notice}
        duplicates={duplicates[id]}
        onFlash={onFlash}
      />
    );
  }
  if (isNew) {
    return (
      <NewListing
        backHref={backHref}
        onUploaded={(result) => {
          storeListing(queryClient, result.listing);
          if (result.duplicates.length > 0) {
            setDuplicates((current) => ({ ...current, [result.listing.id]: result.duplicates }));
          }
          router.push(`/annunci?id=${result.listing.id}`);
        }}
      />
    );
  }
  return <ListingList notice={notice} />;
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
        <Listings />
      </Suspense>
    </AppShell>
  );
}
