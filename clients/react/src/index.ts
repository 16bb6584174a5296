/** @useatlas/react: Atlas's chat for React apps.
 *
 * ```tsx
 * import { AtlasProvider, AtlasChat } from "@useatlas/react";
 * import "@useatlas/react/styles.css";
 * <AtlasProvider apiUrl="https://atlas.example.com" apiKey="atlas_sk_..."><AtlasChat /></AtlasProvider>
 * ```
 */

export type { AtlasChatHandle, AtlasChatProps } from "./components/atlas-chat";
export { AtlasChat } from "./components/atlas-chat";
export { ConversationSidebar } from "./components/conversation-sidebar";
export type { DataTableProps } from "./components/data-table";
export { DataTable } from "./components/data-table";
export { ErrorBanner } from "./components/error-banner";
export { Markdown } from "./components/markdown";
export { Message } from "./components/message";
export type { ResultChartProps } from "./components/result-chart";
export { ResultChart } from "./components/result-chart";
export type { SQLResultCardProps } from "./components/sql-result-card";

// Building blocks for custom chat UIs.
export { SQLResultCard } from "./components/sql-result-card";
export type { ToolRendererProps, ToolRenderers } from "./components/tool-part";
export { defaultToolRenderers } from "./components/tool-part";
export type { AtlasContextValue, AtlasProviderProps, ThemeMode } from "./context";
export { AtlasProvider, useAtlasContext } from "./context";
export type { AtlasUser, AuthStatus, UseAtlasAuthReturn } from "./hooks/use-atlas-auth";
export { useAtlasAuth } from "./hooks/use-atlas-auth";
export type {
  AtlasChatStatus,
  UseAtlasChatOptions,
  UseAtlasChatReturn,
} from "./hooks/use-atlas-chat";
export { useAtlasChat } from "./hooks/use-atlas-chat";
export type {
  Conversation,
  ConversationMessage,
  ShareLink,
  UseConversationsOptions,
  UseConversationsReturn,
} from "./hooks/use-conversations";
export {
  useConversations,
  /** Upstream's name for the same hook. */
  useConversations as useAtlasConversations,
} from "./hooks/use-conversations";
export { useStarterPrompts } from "./hooks/use-starter-prompts";
export type { ChartChoice, ChartHint } from "./lib/chart-choice";
export { chooseChart } from "./lib/chart-choice";
export type { ChatErrorCode, ChatErrorInfo } from "./lib/errors";
export { parseChatError } from "./lib/errors";
export { columnKind, formatCell, toCsv } from "./lib/format";
export type { Clarification, SQLToolResult, ToolPartView } from "./lib/parts";
export { clarificationOf, sqlResult, suggestionsOf, textOf, toolPartView } from "./lib/parts";
