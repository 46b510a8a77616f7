"use client";

import { useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { ResetPassword } from "@/components/auth/password-reset";

function ResetPage() {
  return <ResetPassword token={useSearchParams().get("token") ?? ""} />;
}

export default function Page() {
  return (
    <Suspense>
      <ResetPage />
    </Suspense>
  );
}
