/** The chat the gateway serves at `/`: the React package full page, signed in with the
 * managed session cookie (sign-in first), on the gateway's own origin. */

import { AtlasChat, AtlasProvider } from "@useatlas/react";
import "@useatlas/react/styles.css";
import "./page.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <AtlasProvider apiUrl={location.origin} theme="system">
        <AtlasChat title="Atlas" />
      </AtlasProvider>
    </StrictMode>,
  );
}
