// The Vinted link's live event: the extension linked the account, or the keep-alive found the session
// dead. The settings page reloads the link's state and the code's status.
import type { LiveHandler } from "@/lib/live";
import { vintedLinkKeys } from "./queries";

export const vintedLinkEvents: LiveHandler = (event, queryClient) => {
  if (event.type !== "vinted.link_changed") return;
  void queryClient.invalidateQueries({ queryKey: vintedLinkKeys.all });
};
