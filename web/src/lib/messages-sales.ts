// The strings of the Sales pages ("sales.*" keys): Italian first, English second (merged in messages.ts).
export const itSales = {
  "sales.title": "Vendite",
} as const;

export const enSales: Record<keyof typeof itSales, string> = {
  "sales.title": "Sales",
};
