"use client";
// The shipping section of a sale's page: choose a carrier and buy the label, or follow a parcel sent
// with Vinted's own label; once shipped, the parcel's status and timeline.
import type { Schemas } from "@/lib/api";

export function SaleShipping({ sale }: { sale: Schemas["SaleRead"] }) {
  void sale;
  return null;
}
