// New market data was collected (trends.updated, sent to every family: the data is shared): the open
// Tendenze page reads its categories, the chosen category's history and its brands again.
import type { LiveHandler } from "@/lib/live";
import { trendKeys } from "./queries";

export const trendEvents: LiveHandler = (event, queryClient) => {
  if (event.type !== "trends.updated") return;
  void queryClient.invalidateQueries({ queryKey: trendKeys.all });
};
