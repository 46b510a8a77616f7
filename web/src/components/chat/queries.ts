// The assistant's queries. Every key starts with "chat": one invalidation refreshes the conversations and
// the open conversation's messages.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "@/lib/api";

export type ChatSession = Schemas["ChatSessionRead"];
export type ChatMessage = Schemas["ChatMessageRead"];
export type Passage = Schemas["Passage"];

export const chatKeys = {
  all: ["chat"] as const,
  history: () => [...chatKeys.all, "history"] as const,
  messages: (sessionId: string) => [...chatKeys.all, "messages", sessionId] as const,
};

export function useChatHistory() {
  return useQuery({
    queryKey: chatKeys.history(),
    queryFn: async () => unwrap(await api.GET("/api/v1/chat/history", { params: { query: { limit: 100 } } })),
  });
}

/** A conversation's messages; while a reply is still being written elsewhere (a reload mid-stream, a
 * dropped socket) they are read again every few seconds until it is finished. */
export function useChatMessages(sessionId: string | null, polling: boolean) {
  return useQuery({
    queryKey: chatKeys.messages(sessionId ?? ""),
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/chat/sessions/{session_id}/messages", {
          params: { path: { session_id: sessionId ?? "" }, query: { limit: 100 } },
        }),
      ),
    enabled: sessionId !== null,
    refetchInterval: polling ? 3000 : false,
  });
}

export function useCreateSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/chat/sessions", { body: {} })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: chatKeys.history() }),
  });
}

export function useDeleteSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (sessionId: string) =>
      unwrap(await api.DELETE("/api/v1/chat/sessions/{session_id}", { params: { path: { session_id: sessionId } } })),
    onSuccess: (_done, sessionId) => {
      queryClient.removeQueries({ queryKey: chatKeys.messages(sessionId) });
      void queryClient.invalidateQueries({ queryKey: chatKeys.history() });
    },
  });
}

export function useSendMessage() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ sessionId, content }: { sessionId: string; content: string }) =>
      unwrap(
        await api.POST("/api/v1/chat/sessions/{session_id}/messages", {
          params: { path: { session_id: sessionId } },
          body: { content },
        }),
      ),
    onSuccess: (accepted) => {
      void queryClient.invalidateQueries({ queryKey: chatKeys.messages(accepted.session_id) });
      void queryClient.invalidateQueries({ queryKey: chatKeys.history() });
    },
  });
}

export function useStopReply() {
  return useMutation({
    mutationFn: async ({ sessionId, messageId }: { sessionId: string; messageId: string }) =>
      unwrap(
        await api.POST("/api/v1/chat/sessions/{session_id}/messages/{message_id}/stop", {
          params: { path: { session_id: sessionId, message_id: messageId } },
        }),
      ),
  });
}
