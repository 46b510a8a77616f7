"use client";

import { useSearchParams } from "next/navigation";
import { Suspense } from "react";
import { CompleteSignup } from "@/components/auth/complete-signup";
import { AuthLoading, SignUp } from "@/components/auth/signup";

/** /registrati signs up as the server allows; /registrati?completa=<token> is the link an open sign-up e-mails. */
function Registration() {
  const token = useSearchParams().get("completa");
  return token === null ? <SignUp /> : <CompleteSignup key={token} token={token} />;
}

export default function Page() {
  return (
    <Suspense fallback={<AuthLoading title="auth.signup.title" />}>
      <Registration />
    </Suspense>
  );
}
