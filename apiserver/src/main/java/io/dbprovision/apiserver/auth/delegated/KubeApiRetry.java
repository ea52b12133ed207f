package io.dbprovision.apiserver.auth.delegated;

import io.kubernetes.client.openapi.ApiException;
import java.time.Duration;

/**
 * Calls to the kube-apiserver retried a few times with a growing pause when the failure may pass (no answer, a
 * 5xx, 429, a refused connection), as k8s.io/apiserver retries its webhooks; bounded so that a request waits at
 * most about a second more before it is refused. Refusals such as 401/403 are not retried: they will not change;
 * nor is a timeout: the kube-apiserver already had the whole request timeout to answer.
 */
final class KubeApiRetry {
    private static final int ATTEMPTS = 3;
    private static final Duration FIRST_PAUSE = Duration.ofMillis(200);

    interface Call<T> {
        T run() throws ApiException;
    }

    private KubeApiRetry() {}

    static <T> T call(Call<T> call) throws ApiException {
        Duration pause = FIRST_PAUSE;
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (ApiException e) {
                if (attempt >= ATTEMPTS || !mayPass(e)) {
                    throw e;
                }
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException("interrupted while waiting to retry");
            }
            pause = pause.multipliedBy(2);
        }
    }

    /** Code 0 is client-java's "no HTTP answer" (connection refused, timeout, TLS failure). */
    static boolean mayPass(ApiException e) {
        if (e.getCode() == 0) {
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof java.io.InterruptedIOException) {
                    return false; // a timeout (SocketTimeoutException is one)
                }
            }
            return true;
        }
        return e.getCode() == 429 || e.getCode() >= 500;
    }

    /** What may be logged of a failure: its HTTP code or the kind of I/O failure, never a body or a token. */
    static String describe(ApiException e) {
        if (e.getCode() != 0) {
            return "HTTP " + e.getCode();
        }
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
}
