/** @useatlas/react: Atlas's chat for React apps.
 *
 * ```tsx
 * import { AtlasProvider, AtlasChat } from "@useatlas/react";
 * import "@useatlas/react/styles.css";
 * <AtlasProvider apiUrl="https://atlas.example.com" apiKey="atlas_sk_..."><AtlasChat /></AtlasProvider>
 * ```
 */

export { AtlasProvider, useAtlasContext } from "./context";
export type { AtlasContextValue, AtlasProviderProps, ThemeMode } from "./context";

export { AtlasChat } from "./components/atlas-chat";
export type { AtlasChatHandle, AtlasChatProps } from "./components/atlas-chat";

export { useAtlasChat } from "./hooks/use-atlas-chat";
export type { AtlasChatStatus, UseAtlasChatOptions, UseAtlasChatReturn } from "./hooks/use-atlas-chat";
export { useConversations } from "./hooks/use-conversations";
export type {
  Conversation, ConversationMessage, ShareLink, UseConversationsOptions, UseConversationsReturn,
} from "./hooks/use-conversations";
export { useAtlasAuth } from "./hooks/use-atlas-auth";
export type { AtlasUser, AuthStatus, UseAtlasAuthReturn } from "./hooks/use-atlas-auth";
export { useStarterPrompts } from "./hooks/use-starter-prompts";

// Building blocks for custom chat UIs.
export { SQLResultCard } from "./components/sql-result-card";
export type { SQLResultCardProps } from "./components/sql-result-card";
export { DataTable } from "./components/data-table";
export type { DataTableProps } from "./components/data-table";
export { ResultChart } from "./components/result-chart";
export type { ResultChartProps } from "./components/result-chart";
export { ErrorBanner } from "./components/error-banner";
export { Markdown } from "./components/markdown";
export { Message } from "./components/message";
export { ConversationSidebar } from "./components/conversation-sidebar";
export { defaultToolRenderers } from "./components/tool-part";
export type { ToolRendererProps, ToolRenderers } from "./components/tool-part";

export { chooseChart } from "./lib/chart-choice";
export type { ChartChoice, ChartHint } from "./lib/chart-choice";
export { columnKind, formatCell, toCsv } from "./lib/format";
export { parseChatError } from "./lib/errors";
export type { ChatErrorCode, ChatErrorInfo } from "./lib/errors";
export { clarificationOf, sqlResult, suggestionsOf, textOf, toolPartView } from "./lib/parts";
export type { Clarification, SQLToolResult, ToolPartView } from "./lib/parts";
