"use client";

import { DeleteAccount } from "@/components/account/delete-account";
import { NotificationEmails } from "@/components/account/notification-emails";
import { PasswordForm } from "@/components/account/password-form";
import { ProfileForm } from "@/components/account/profile-form";
import { SessionList } from "@/components/account/session-list";
import { VintedLink } from "@/components/account/vinted-link";
import { AppShell, PageTitle } from "@/components/app-shell";
import { LanguageSwitch } from "@/components/language-switch";
import { ShippingSettings } from "@/components/shipments/shipping-settings";
import { Card } from "@/components/ui";
import { useI18n } from "@/lib/i18n";

function Settings() {
  const { t } = useI18n();
  return (
    <>
      <PageTitle>{t("settings.title")}</PageTitle>
      <div className="grid gap-6 lg:grid-cols-2">
        <div className="flex flex-col gap-6">
          <ProfileForm />
          <PasswordForm />
          <Card title={t("settings.language")}>
            <LanguageSwitch />
          </Card>
          <NotificationEmails />
        </div>
        <div className="flex flex-col gap-6">
          <div id="vinted" className="scroll-mt-4">
            <VintedLink />
          </div>
          <ShippingSettings />
          <SessionList />
          <DeleteAccount />
        </div>
      </div>
    </>
  );
}

export default function Page() {
  return (
    <AppShell>
      <Settings />
    </AppShell>
  );
}
