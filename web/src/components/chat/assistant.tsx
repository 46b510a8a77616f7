"use client";

// The Assistente page: the member's conversations (a list beside the conversation on a wide screen, a
// view of its own on a phone), the open one's messages, the reply streaming in from chat.chunk events,
// "Ferma" while it streams, the sources under a finished answer, and the composer.
import { MessageCircle, Plus, Trash2, X } from "lucide-react";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";
import { ConfirmPanel } from "@/components/listings/confirm";
import { Alert, Button, CONTROL, Loading } from "@/components/ui";
import { ApiError } from "@/lib/api";
import { errorMessage } from "@/lib/errors";
import { useI18n } from "@/lib/i18n";
import type { MessageKey } from "@/lib/messages";
import { streamText, useStream, type Stream } from "./live";
import {
  useChatHistory,
  useChatMessages,
  useCreateSession,
  useDeleteSession,
  useSendMessage,
  useStopReply,
  type ChatMessage,
  type ChatSession,
  type Passage,
} from "./queries";

const SUGGESTIONS: MessageKey[] = [
  "chat.suggest.earned",
  "chat.suggest.parcels",
  "chat.suggest.brand",
  "chat.suggest.label",
];
const RETRIEVAL_ONLY = "retrieval_only";

type T = ReturnType<typeof useI18n>["t"];

/** What the composer says when the API refuses a question (422, 429, 409), in Italian. */
function sendErrorText(error: unknown, t: T, max: number): string {
  if (error instanceof ApiError) {
    if (error.status === 422) return t("chat.error.tooLong", { max });
    if (error.status === 429) {
      const minutes = Math.max(1, Math.ceil((error.retryAfter ?? 60) / 60));
      return minutes === 1 ? t("chat.error.rateLimited.one") : t("chat.error.rateLimited.many", { minutes });
    }
    if (error.status === 409) return error.detail || t("chat.error.conflict");
  }
  return errorMessage(error, t);
}

function Sources({ sources }: { sources: Passage[] }) {
  const { t } = useI18n();
  if (!sources.length) return null;
  return (
    <div className="mt-3 border-t border-slate-200 pt-2">
      <p className="text-xs font-semibold tracking-wide text-slate-600 uppercase">{t("chat.sources")}</p>
      <ul className="mt-1 flex flex-col gap-1 text-sm" aria-label={t("chat.sources")}>
        {sources.map((source) => (
          <li key={source.id} className="break-words">
            {source.link ? (
              <Link href={source.link} className="font-medium text-teal-800 underline hover:text-teal-900">
                {source.title}
              </Link>
            ) : (
              <span className="font-medium text-slate-800">{source.title}</span>
            )}
            {source.kind === "fact" ? <span className="block text-xs text-slate-600">{source.text}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

function StatusNote({ status, metadata }: { status: string | null; metadata: Record<string, unknown> }) {
  const { t } = useI18n();
  const error = metadata.error as { detail?: string } | undefined;
  const notes: string[] = [];
  if (metadata.mode === RETRIEVAL_ONLY) notes.push(t("chat.retrievalOnly"));
  let alert: string | null = null;
  if (status === "stopped") notes.push(t("chat.status.stopped"));
  else if (status === "timeout") alert = t("chat.status.timeout");
  else if (status === "error")
    alert = error?.detail ? t("chat.status.error", { detail: error.detail }) : t("chat.status.errorUnknown");
  return (
    <>
      {notes.map((note) => (
        <p key={note} className="mt-2 text-sm text-sky-900" data-reply-note="">
          {note}
        </p>
      ))}
      {alert ? (
        <p role="alert" className="mt-2 text-sm font-medium text-red-800">
          {alert}
        </p>
      ) : null}
    </>
  );
}

function Bubble({ mine, children, label }: { mine: boolean; children: React.ReactNode; label: string }) {
  return (
    <li className={`flex ${mine ? "justify-end" : "justify-start"}`}>
      <div
        className={`max-w-[85%] min-w-0 rounded-2xl px-4 py-3 ${
          mine ? "bg-teal-700 text-white" : "border border-slate-200 bg-white text-slate-900"
        }`}
        aria-label={label}
        role="group"
      >
        {children}
      </div>
    </li>
  );
}

/** An assistant's reply: the stored one once finished, else what has streamed in so far. */
function Reply({ message, stream }: { message: ChatMessage | null; stream: Stream | null }) {
  const { t } = useI18n();
  const storedDone = message !== null && message.status !== "streaming";
  // A reply begun before this page opened: only its tail arrives here, so the stored one is awaited.
  const whole = stream?.fromStart ?? false;
  const text = storedDone ? message.content : stream && whole ? streamText(stream) : (message?.content ?? "");
  const status = storedDone ? (message.status ?? null) : (stream?.status ?? null);
  const sources = storedDone ? (message.sources ?? []) : stream?.status ? (stream.sources ?? []) : [];
  const metadata = storedDone ? (message.metadata ?? {}) : {};
  const writing = !status;
  return (
    <Bubble mine={false} label={t("chat.assistant")}>
      <div data-reply={message?.id ?? ""} aria-busy={writing || undefined}>
        {text ? <p className="break-words whitespace-pre-wrap">{text}</p> : null}
        {writing ? <p className="mt-1 text-sm text-slate-500">{t("chat.writing")}</p> : null}
        {status ? <StatusNote status={status} metadata={metadata} /> : null}
        {status ? <Sources sources={sources} /> : null}
      </div>
    </Bubble>
  );
}

function ConversationList({
  current,
  onOpen,
  onNew,
  onDeleted,
}: {
  current: string | null;
  onOpen: (id: string) => void;
  onNew: () => void;
  onDeleted: (id: string) => void;
}) {
  const { t } = useI18n();
  const history = useChatHistory();
  const remove = useDeleteSession();
  const [confirming, setConfirming] = useState<ChatSession | null>(null);
  return (
    <section aria-labelledby="chat-conversations" className="flex flex-col gap-3">
      <h2 id="chat-conversations" className="text-lg font-semibold text-slate-900">
        {t("chat.conversations")}
      </h2>
      <Button type="button" onClick={onNew} className="w-full">
        <Plus aria-hidden="true" className="h-5 w-5" />
        {t("chat.new")}
      </Button>
      {history.isPending ? <Loading label={t("chat.loading")} /> : null}
      {history.isError ? <Alert>{errorMessage(history.error, t)}</Alert> : null}
      {remove.isError ? <Alert>{errorMessage(remove.error, t)}</Alert> : null}
      {history.data && !history.data.items.length ? (
        <p className="text-sm text-slate-600">{t("chat.noConversations")}</p>
      ) : null}
      <ul className="flex flex-col gap-1">
        {history.data?.items.map((session) => (
          <li key={session.id} className="flex flex-col gap-2">
            <div className="flex items-center gap-1">
              <button
                type="button"
                onClick={() => onOpen(session.id)}
                aria-current={session.id === current ? "page" : undefined}
                className={`min-h-11 min-w-0 flex-1 truncate rounded-lg px-3 py-2 text-left text-sm ${
                  session.id === current ? "bg-teal-50 font-semibold text-teal-800" : "text-slate-700 hover:bg-slate-100"
                }`}
              >
                {session.title || t("chat.untitled")}
              </button>
              <Button
                type="button"
                variant="ghost"
                className="px-3"
                aria-label={t("chat.deleteNamed", { title: session.title || t("chat.untitled") })}
                onClick={() => setConfirming(session)}
              >
                <Trash2 aria-hidden="true" className="h-5 w-5" />
              </Button>
            </div>
            {confirming?.id === session.id ? (
              <ConfirmPanel
                message={t("chat.deleteConfirm", { title: session.title || t("chat.untitled") })}
                confirmLabel={t("chat.deleteYes")}
                busy={remove.isPending}
                onCancel={() => setConfirming(null)}
                onConfirm={() =>
                  remove.mutate(session.id, {
                    onSuccess: () => {
                      setConfirming(null);
                      onDeleted(session.id);
                    },
                  })
                }
              />
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Composer({
  max,
  busy,
  streaming,
  stopping,
  error,
  onSend,
  onStop,
}: {
  max: number;
  busy: boolean;
  streaming: boolean;
  stopping: boolean;
  error: string | null;
  onSend: (text: string) => Promise<boolean>;
  onStop: () => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState("");
  const disabled = busy || streaming;
  const send = async () => {
    const content = text.trim();
    if (!content || disabled) return;
    if (await onSend(content)) setText("");
  };
  return (
    <form
      className="flex flex-col gap-2 rounded-xl border border-slate-200 bg-white p-3"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <label htmlFor={id} className="text-sm font-medium text-slate-800">
        {t("chat.question")}
      </label>
      <textarea
        id={id}
        value={text}
        rows={2}
        maxLength={max}
        disabled={disabled}
        aria-describedby={`${id}-hint ${id}-count${error ? ` ${id}-error` : ""}`}
        className={`${CONTROL} resize-y`}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
            event.preventDefault();
            void send();
          }
        }}
      />
      <div className="flex flex-wrap items-center justify-between gap-2 text-xs text-slate-600">
        <span id={`${id}-hint`}>{t("chat.composerHint")}</span>
        <span id={`${id}-count`} data-counter="">
          {t("chat.counter", { count: text.length, max })}
        </span>
      </div>
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-sm font-medium text-red-800">
          {error}
        </p>
      ) : null}
      <div className="flex justify-end gap-2">
        {streaming ? (
          <Button type="button" variant="danger" onClick={onStop} busy={stopping}>
            {stopping ? t("chat.stopping") : t("chat.stop")}
          </Button>
        ) : null}
        <Button type="submit" busy={busy} disabled={disabled || !text.trim()}>
          {t("chat.send")}
        </Button>
      </div>
    </form>
  );
}

interface Pending {
  sessionId: string;
  messageId: string;
}

function Conversation({
  sessionId,
  max,
  pending,
  onAsk,
}: {
  sessionId: string | null;
  max: number;
  pending: Pending | null;
  onAsk: (content: string) => Promise<string | null>;
}) {
  const { t } = useI18n();
  const stop = useStopReply();
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The reply being written: the stored one still "streaming", or the one just asked for.
  const [pollStored, setPollStored] = useState(false);
  const messages = useChatMessages(sessionId, pollStored);
  const items = messages.data?.items ?? [];
  const storedStreaming = [...items].reverse().find((m) => m.role === "assistant" && m.status === "streaming");
  const mine = pending && pending.sessionId === sessionId ? pending.messageId : null;
  const streamingId = storedStreaming?.id ?? mine;
  const stream = useStream(streamingId ?? null);
  const mineFinished = items.some((m) => m.id === mine && m.status !== "streaming");
  const streaming = streamingId !== null && !stream?.status && (storedStreaming !== undefined || !mineFinished);
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => setError(null), [sessionId]);

  // A reply written elsewhere (a reload mid-stream, a dropped socket): read the messages again until done.
  // So too while my own question is not in the list yet: a new conversation's first read can land before
  // the question is stored, and nothing else would read it again until the reply ends.
  const mineMissing = mine !== null && messages.data !== undefined && !items.some((m) => m.id === mine);
  const needsPolling = (storedStreaming !== undefined && !stream?.fromStart) || mineMissing;
  useEffect(() => setPollStored(needsPolling), [needsPolling]);

  const length = stream ? stream.pieces.size : 0;
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: "end" });
  }, [items.length, length]);

  const ask = async (content: string) => {
    setError(null);
    setAsking(true);
    try {
      const problem = await onAsk(content);
      if (problem) setError(problem);
      return problem === null;
    } finally {
      setAsking(false);
    }
  };

  const visible = items.filter((m) => m.role !== "system");
  const shownPending = mine !== null && !items.some((m) => m.id === mine);
  const empty = sessionId === null || (messages.data !== undefined && !visible.length && !shownPending);

  return (
    <section aria-labelledby="chat-open" className="flex min-w-0 flex-col gap-4">
      <h2 id="chat-open" className="sr-only">
        {t("chat.title")}
      </h2>
      {sessionId && messages.isPending ? <Loading label={t("chat.loadingMessages")} /> : null}
      {messages.isError ? <Alert>{errorMessage(messages.error, t)}</Alert> : null}
      {empty && !asking ? (
        <div className="flex flex-col gap-2">
          <p className="text-sm font-semibold text-slate-800">{t("chat.suggestions")}</p>
          <ul className="flex flex-col gap-2 sm:flex-row sm:flex-wrap">
            {SUGGESTIONS.map((key) => (
              <li key={key}>
                <Button type="button" variant="secondary" className="w-full text-left text-sm sm:w-auto" onClick={() => void ask(t(key))}>
                  <MessageCircle aria-hidden="true" className="h-4 w-4 shrink-0" />
                  {t(key)}
                </Button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <ol className="flex flex-col gap-3" aria-label={t("chat.conversations")}>
        {visible.map((message) =>
          message.role === "user" ? (
            <Bubble key={message.id} mine label={t("chat.you")}>
              <p className="break-words whitespace-pre-wrap">{message.content}</p>
            </Bubble>
          ) : (
            <Reply key={message.id} message={message} stream={message.id === streamingId ? stream : null} />
          ),
        )}
        {shownPending ? <Reply key={mine} message={null} stream={stream} /> : null}
      </ol>
      <div ref={end} />
      <Composer
        max={max}
        busy={asking}
        streaming={streaming}
        stopping={stop.isPending}
        error={error ?? (stop.isError ? errorMessage(stop.error, t) : null)}
        onSend={ask}
        onStop={() => {
          if (sessionId && streamingId) stop.mutate({ sessionId, messageId: streamingId });
        }}
      />
    </section>
  );
}

export function Assistant({ max }: { max: number }) {
  const { t } = useI18n();
  const router = useRouter();
  const params = useSearchParams();
  const sessionId = params.get("sessione");
  const [listOpen, setListOpen] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);
  const create = useCreateSession();
  const send = useSendMessage();

  const open = (id: string | null) => {
    setListOpen(false);
    router.replace(id ? `/assistente?sessione=${id}` : "/assistente");
  };

  /** Send a question (a new conversation first when none is open); null, or the problem to show. */
  const ask = async (content: string): Promise<string | null> => {
    try {
      let id = sessionId;
      if (!id) {
        id = (await create.mutateAsync()).id;
        open(id);
      }
      const accepted = await send.mutateAsync({ sessionId: id, content });
      setPending({ sessionId: accepted.session_id, messageId: accepted.message_id });
      return null;
    } catch (error) {
      return sendErrorText(error, t, max);
    }
  };

  return (
    <div className="flex min-w-0 flex-col gap-4 lg:flex-row lg:items-start">
      <div className="flex gap-2 lg:hidden">
        <Button type="button" variant="secondary" className="flex-1" onClick={() => setListOpen((shown) => !shown)} aria-expanded={listOpen}>
          {listOpen ? <X aria-hidden="true" className="h-5 w-5" /> : <MessageCircle aria-hidden="true" className="h-5 w-5" />}
          {listOpen ? t("chat.closeConversations") : t("chat.showConversations")}
        </Button>
        {sessionId && !listOpen ? (
          <Button type="button" className="px-3" aria-label={t("chat.new")} title={t("chat.new")} onClick={() => open(null)}>
            <Plus aria-hidden="true" className="h-5 w-5" />
          </Button>
        ) : null}
      </div>
      <aside className={`${listOpen ? "block" : "hidden"} min-w-0 lg:block lg:w-72 lg:shrink-0`}>
        <ConversationList
          current={sessionId}
          onOpen={open}
          onNew={() => open(null)}
          onDeleted={(id) => {
            if (id === sessionId) open(null);
          }}
        />
      </aside>
      <div className={`${listOpen ? "hidden" : "block"} min-w-0 flex-1 lg:block`}>
        <Conversation sessionId={sessionId} max={max} pending={pending} onAsk={ask} />
      </div>
    </div>
  );
}
