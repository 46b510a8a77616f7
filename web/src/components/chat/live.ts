// A reply being written (chat.chunk events, to the asking member's sockets only): its pieces are kept by
// message id, in seq order with duplicates ignored (a reconnect replays what was missed), so the open
// conversation shows the reply token by token. The last chunk ("[DONE]", with the status) has the
// conversation's messages read again: the stored reply is then what is shown.
import { useSyncExternalStore } from "react";
import type { LiveHandler } from "@/lib/live";
import { chatKeys, type Passage } from "./queries";

export const DONE = "[DONE]";

export interface Stream {
  sessionId: string;
  pieces: Map<number, string>;
  sources: Passage[] | null;
  status: string | null; // set by the last chunk
  fromStart: boolean; // seq 0 (the sources) was seen: the text is whole, not the tail of a reply begun elsewhere
}

const streams = new Map<string, Stream>();
const listeners = new Set<() => void>();
let version = 0;

function changed() {
  version += 1;
  listeners.forEach((listener) => listener());
}

interface Chunk {
  session_id: string;
  message_id: string;
  seq: number;
  text: string;
  sources?: Passage[];
  status?: string;
}

export const chatEvents: LiveHandler = (event, queryClient) => {
  if (event.type !== "chat.chunk") return;
  const chunk = event.data as unknown as Chunk;
  let stream = streams.get(chunk.message_id);
  if (!stream) {
    stream = { sessionId: chunk.session_id, pieces: new Map(), sources: null, status: null, fromStart: false };
    streams.set(chunk.message_id, stream);
  }
  if (chunk.seq === 0) stream.fromStart = true;
  if (chunk.sources) stream.sources = chunk.sources;
  if (chunk.status) {
    stream.status = chunk.status;
    void queryClient.invalidateQueries({ queryKey: chatKeys.messages(chunk.session_id) });
  } else if (chunk.text && !stream.pieces.has(chunk.seq)) {
    stream.pieces.set(chunk.seq, chunk.text);
  }
  changed();
};

/** The reply's text so far, its pieces in seq order. */
export function streamText(stream: Stream): string {
  return [...stream.pieces.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, text]) => text)
    .join("");
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The reply `messageId` as it streams in (null: nothing received for it on this tab). */
export function useStream(messageId: string | null): Stream | null {
  useSyncExternalStore(
    subscribe,
    () => version,
    () => 0,
  );
  return messageId ? (streams.get(messageId) ?? null) : null;
}
