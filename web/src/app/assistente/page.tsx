"use client";

import { ComingSoon } from "@/components/coming-soon";

export default function Page() {
  return <ComingSoon title="nav.assistant" body="empty.assistant" when="soon.afterSales" />;
}
