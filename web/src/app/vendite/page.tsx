"use client";

import { ComingSoon } from "@/components/coming-soon";

export default function Page() {
  return <ComingSoon title="nav.sales" body="empty.sales" when="soon.next" />;
}
