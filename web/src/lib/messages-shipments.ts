// The strings of the Shipments pages ("shipments.*" keys): Italian first, English second (merged in messages.ts).
export const itShipments = {
  "shipments.title": "Spedizioni",
} as const;

export const enShipments: Record<keyof typeof itShipments, string> = {
  "shipments.title": "Shipments",
};
