"use client";

import { ComingSoon } from "@/components/coming-soon";

export default function Page() {
  return <ComingSoon title="nav.trends" body="empty.trends" when="soon.afterSales" />;
}
