// The roles of a family, as the API spells them, with their catalogue keys.
import type { Schemas } from "@/lib/api";
import type { MessageKey } from "@/lib/messages";

export type Role = Schemas["MemberRead"]["role"];

const ROLE_LABELS: Record<Role, MessageKey> = {
  admin: "family.role.admin",
  member: "family.role.member",
};

export const roleLabel = (role: Role): MessageKey => ROLE_LABELS[role];
