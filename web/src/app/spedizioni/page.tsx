"use client";

import { ComingSoon } from "@/components/coming-soon";

export default function Page() {
  return <ComingSoon title="nav.shipments" body="empty.shipments" when="soon.next" />;
}
