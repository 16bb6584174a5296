/** The console's frame: skip link, header (workspace, user, theme, sign-out), the navigation
 * landmark with the six pages, and the main landmark with the page the URL names. Signed out,
 * the managed sign-in form instead. */

import type { ThemeMode } from "@useatlas/react";
import { AtlasProvider, useAtlasAuth, useAtlasContext } from "@useatlas/react";
import type { ComponentType } from "react";
import { useEffect, useRef, useState } from "react";
import { SESSION_ENDED } from "./api";
import { ApiKeysPage } from "./pages/api-keys";
import { AuditPage } from "./pages/audit";
import { OverviewPage } from "./pages/overview";
import { PlansPage } from "./pages/plans";
import { SemanticPage } from "./pages/semantic";
import { UsersPage } from "./pages/users";
import { hrefOf, onLinkClick, PAGES, slugOf, useLocation } from "./router";
import { SignIn } from "./sign-in";
import { HEADING_ID, PageHeading, useApi } from "./ui";

const PAGE_COMPONENTS: Record<string, ComponentType> = {
  "": OverviewPage,
  users: UsersPage,
  "api-keys": ApiKeysPage,
  semantic: SemanticPage,
  audit: AuditPage,
  plans: PlansPage,
};

const THEME_KEY = "atlas-console-theme";

function storedTheme(): ThemeMode {
  const value = window.localStorage?.getItem(THEME_KEY);
  return value === "light" || value === "dark" ? value : "system";
}

export function App() {
  const [theme, setTheme] = useState<ThemeMode>(storedTheme);
  const choose = (next: ThemeMode) => {
    setTheme(next);
    if (next === "system") window.localStorage?.removeItem(THEME_KEY);
    else window.localStorage?.setItem(THEME_KEY, next);
  };
  return (
    <AtlasProvider apiUrl={window.location.origin} theme={theme}>
      <Themed theme={theme} onTheme={choose} />
    </AtlasProvider>
  );
}

function Themed({ theme, onTheme }: { theme: ThemeMode; onTheme: (t: ThemeMode) => void }) {
  const { resolvedTheme } = useAtlasContext();
  const auth = useAtlasAuth();
  useEffect(() => {
    document.documentElement.dataset.theme = resolvedTheme;
  }, [resolvedTheme]);
  const { mode, signOut } = auth;
  useEffect(() => {
    if (mode === "none") return;
    // Signing out (not reloading) shows the sign-in form and cannot loop; the URL is kept, so
    // signing in again returns to the same page.
    const ended = () => void signOut();
    window.addEventListener(SESSION_ENDED, ended);
    return () => window.removeEventListener(SESSION_ENDED, ended);
  }, [mode, signOut]);
  return (
    <div className="atlas-root console" data-theme={resolvedTheme}>
      <a className="console-skip" href="#main">
        Skip to content
      </a>
      {auth.status === "loading" ? (
        <p role="status">Loading…</p>
      ) : auth.status === "signed-out" ? (
        <SignIn auth={auth} />
      ) : (
        <Console
          theme={theme}
          onTheme={onTheme}
          userLabel={auth.user?.email ?? (auth.mode === "none" ? "No sign-in" : "")}
          onSignOut={auth.mode === "none" ? undefined : () => void auth.signOut()}
        />
      )}
    </div>
  );
}

interface ConsoleProps {
  theme: ThemeMode;
  onTheme: (t: ThemeMode) => void;
  userLabel: string;
  onSignOut: (() => void) | undefined;
}

function Console({ theme, onTheme, userLabel, onSignOut }: ConsoleProps) {
  const location = useLocation();
  const slug = slugOf(location.pathname);
  const me = useApi<{ workspaceId?: string; role?: string }>("/api/v1/me");
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus moves when the page changes
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById(HEADING_ID)?.focus();
  }, [slug]);
  const Page = slug === null ? NotFound : (PAGE_COMPONENTS[slug] ?? NotFound);
  return (
    <div className="console-frame">
      <header className="console-header">
        <a className="console-brand" href={hrefOf("")} onClick={onLinkClick}>
          Atlas admin
        </a>
        <span className="console-workspace">
          Workspace <strong>{me.data?.workspaceId ?? "…"}</strong>
        </span>
        <span className="console-user">
          {userLabel}
          {me.data?.role ? ` (${me.data.role})` : ""}
        </span>
        <label className="console-theme">
          Theme{" "}
          <select value={theme} onChange={(e) => onTheme(e.target.value as ThemeMode)}>
            <option value="system">System</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
        {onSignOut && (
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        )}
      </header>
      <nav className="console-nav" aria-label="Admin pages">
        <ul>
          {PAGES.map((page) => (
            <li key={page.slug}>
              <a
                href={hrefOf(page.slug)}
                onClick={onLinkClick}
                aria-current={page.slug === slug ? "page" : undefined}
              >
                {page.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="console-main" id="main" tabIndex={-1}>
        <Page />
      </main>
    </div>
  );
}

function NotFound() {
  return (
    <section aria-labelledby={HEADING_ID}>
      <PageHeading>Page not found</PageHeading>
      <p>
        There is no such admin page. <a href={hrefOf("")}>Go to the overview</a>.
      </p>
    </section>
  );
}
