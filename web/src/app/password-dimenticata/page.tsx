"use client";

import { ForgotPassword } from "@/components/auth/password-reset";

export default function Page() {
  return <ForgotPassword />;
}
