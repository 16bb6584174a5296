/** The seed's example, as written: a provider with the API's URL and a key, and the chat. */
import { AtlasChat, AtlasProvider } from "@useatlas/react";
import "@useatlas/react/styles.css";

import { API_KEY, API_URL } from "./config";

export function App() {
  return (
    <main className="page">
      <h1>Acme analytics</h1>
      <section className="chat">
        <AtlasProvider apiUrl={API_URL} apiKey={API_KEY}>
          <AtlasChat />
        </AtlasProvider>
      </section>
    </main>
  );
}
