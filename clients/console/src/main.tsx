/** The admin console the gateway serves at /admin: the React package's provider and managed
 * sign-in, on the gateway's own origin. */

import "@useatlas/react/styles.css";
import "./console.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./app";

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
