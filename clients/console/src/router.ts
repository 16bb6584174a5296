/** Client-side routing under /admin without a router dependency: the path is the page, the
 * query string is the page's state (filters), and `navigate` pushes history entries the back
 * button undoes. */

import { useEffect, useState } from "react";

export const BASE = "/admin";

export interface PageInfo {
  slug: string;
  title: string;
}

export const PAGES: readonly PageInfo[] = [
  { slug: "", title: "Overview" },
  { slug: "users", title: "Users" },
  { slug: "api-keys", title: "API keys" },
  { slug: "semantic", title: "Semantic layer" },
  { slug: "audit", title: "Audit log" },
  { slug: "plans", title: "Plans" },
];

export function hrefOf(slug: string, search = ""): string {
  return `${slug ? `${BASE}/${slug}` : BASE}${search}`;
}

/** The page slug of a pathname: "/admin" -> "", "/admin/audit" -> "audit", unknown -> null. */
export function slugOf(pathname: string): string | null {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : null;
  if (rest === null) return null;
  const slug = rest.replace(/^\/+|\/+$/g, "");
  return PAGES.some((p) => p.slug === slug) ? slug : null;
}

export interface Location {
  pathname: string;
  search: string;
}

const listeners = new Set<() => void>();

function current(): Location {
  return { pathname: window.location.pathname, search: window.location.search };
}

export function navigate(href: string, replace = false): void {
  if (replace) window.history.replaceState(null, "", href);
  else window.history.pushState(null, "", href);
  for (const listener of listeners) listener();
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return location;
}

/** Follow a same-app link without a page load (a modified click still opens a new tab). */
export function onLinkClick(event: React.MouseEvent<HTMLAnchorElement>): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const href = event.currentTarget.getAttribute("href");
  if (!href?.startsWith(BASE)) return;
  event.preventDefault();
  navigate(href);
}
