/** What went wrong, with a retry when retrying can help; a rate limit counts down its wait. */

import { useEffect, useState } from "react";

import type { ChatErrorInfo } from "../lib/errors";

export interface ErrorBannerProps {
  error: ChatErrorInfo;
  onRetry?: () => void;
}

function useCountdown(seconds: number | undefined): number {
  const [left, setLeft] = useState(seconds ?? 0);
  useEffect(() => {
    setLeft(seconds ?? 0);
    if (!seconds) return;
    const timer = setInterval(() => setLeft((n) => Math.max(0, n - 1)), 1000);
    const stop = setTimeout(() => clearInterval(timer), seconds * 1000);
    return () => {
      clearInterval(timer);
      clearTimeout(stop);
    };
  }, [seconds]);
  return left;
}

export function ErrorBanner({ error, onRetry }: ErrorBannerProps) {
  const left = useCountdown(error.retryAfterSeconds);
  return (
    <div className="atlas-error" role="alert" data-error-code={error.code}>
      <div>
        <strong>{error.title}</strong>
        <p>{error.message}</p>
        {error.retryAfterSeconds !== undefined && (
          <p className="atlas-error-wait">
            {left > 0 ? `You can try again in ${left} s.` : "You can try again now."}
          </p>
        )}
      </div>
      {error.retryable && onRetry && (
        <button type="button" className="atlas-btn" onClick={onRetry} disabled={left > 0}>
          Retry
        </button>
      )}
    </div>
  );
}
