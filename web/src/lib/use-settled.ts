import { useEffect, useState } from "react";

/** What was typed, once the member stops typing for a moment (one request per pause, not per key). */
export function useSettled(value: string, delay = 200): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}
