"use client";

import { Card } from "@/components/ui";
import { useAuth } from "@/lib/auth";
import { useI18n } from "@/lib/i18n";
import { roleLabel } from "./labels";
import type { Family } from "./queries";

export function MemberList({ family }: { family: Family }) {
  const { t } = useI18n();
  const { user } = useAuth();
  return (
    <Card title={`${t("family.members")} · ${family.name}`}>
      <ul className="divide-y divide-slate-100" aria-label={t("family.members")}>
        {family.members.map((member) => (
          <li key={member.id} className="flex flex-wrap items-center justify-between gap-2 py-3">
            <div>
              <p className="font-medium text-slate-900">
                {member.username}
                {member.id === user?.id ? <span className="text-slate-500"> ({t("family.you")})</span> : null}
              </p>
              <p className="text-sm text-slate-600">{member.email}</p>
            </div>
            <span className="rounded-full bg-slate-100 px-3 py-1 text-xs font-medium text-slate-700">
              {t(roleLabel(member.role))}
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
