// How every call is made: a deadline per call, retries with backoff for UNAVAILABLE on calls that are safe to repeat,
// typed errors, and server streams that stop the call when the caller stops reading or aborts.

import type { DescMessage, DescMethodServerStreaming, DescMethodUnary, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { createAsyncIterable } from "@connectrpc/connect/protocol";
import { toDbProvisionError } from "./errors.js";

/** Per-call options. */
export interface CallOptions {
  /** Deadline of this call in milliseconds; the client's default when absent, none when 0. */
  timeoutMs?: number;
  /** Aborts the call (rejects with CANCELLED). */
  signal?: AbortSignal;
}

/** When and how often UNAVAILABLE is retried on idempotent calls. */
export interface RetryPolicy {
  /** Attempts in all, the first included (default 4; 1 disables retries). */
  maxAttempts: number;
  /** Wait before the first retry; doubled for each next one, with jitter (default 100 ms). */
  initialBackoffMs: number;
  /** The longest wait between attempts (default 2 s). */
  maxBackoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, initialBackoffMs: 100, maxBackoffMs: 2000 };

/** Makes calls over one transport with the client's defaults. */
export class Calls {
  constructor(
    private readonly transport: Transport,
    private readonly defaultTimeoutMs: number,
    private readonly retry: RetryPolicy,
  ) {}

  /**
   * A unary call. `description` names it in errors ("get namespaces/demo/databases/orders"). Idempotent calls are
   * retried on UNAVAILABLE; a write is not, as the server may have applied it.
   */
  async unary<I extends DescMessage, O extends DescMessage>(
    method: DescMethodUnary<I, O>,
    input: MessageInitShape<I>,
    description: string,
    options: CallOptions & { idempotent: boolean },
  ): Promise<MessageShape<O>> {
    const attempts = options.idempotent ? Math.max(1, this.retry.maxAttempts) : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.transport.unary(
          method,
          options.signal,
          this.timeout(options.timeoutMs),
          undefined,
          input,
        );
        return response.message;
      } catch (thrown) {
        const error = ConnectError.from(thrown);
        if (error.code !== Code.Unavailable || attempt >= attempts || options.signal?.aborted === true) {
          throw toDbProvisionError(thrown, description);
        }
        await sleep(this.backoff(attempt), options.signal);
      }
    }
  }

  /**
   * A server-streaming call as an async iterable. Leaving the loop early (break, return, throw) or aborting the
   * signal cancels the call on the server. Streams are not retried: the caller knows where to resume.
   */
  async *serverStream<I extends DescMessage, O extends DescMessage>(
    method: DescMethodServerStreaming<I, O>,
    input: MessageInitShape<I>,
    description: string,
    options: CallOptions,
    defaultTimeoutMs: number | undefined,
  ): AsyncGenerator<MessageShape<O>, void, undefined> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort);
    if (options.signal?.aborted === true) {
      controller.abort(options.signal.reason);
    }
    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    let messages: AsyncIterator<MessageShape<O>> | undefined;
    let finished = false;
    try {
      const response = await this.transport.stream(
        method,
        controller.signal,
        timeoutMs === 0 ? undefined : timeoutMs,
        undefined,
        createAsyncIterable([input]),
      );
      messages = response.message[Symbol.asyncIterator]();
      for (;;) {
        const next = await messages.next();
        if (next.done === true) break;
        yield next.value;
      }
      finished = true;
    } catch (thrown) {
      finished = true;
      throw toDbProvisionError(thrown, description);
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      controller.abort();
      if (!finished && messages !== undefined) {
        // connect clears the call's deadline timer only when a read ends or fails; a caller that stopped early
        // would otherwise keep the process alive until the deadline. One read after the abort fails and clears it.
        messages.next().catch(() => {});
      }
    }
  }

  private timeout(timeoutMs: number | undefined): number | undefined {
    const value = timeoutMs ?? this.defaultTimeoutMs;
    return value === 0 ? undefined : value;
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxBackoffMs, this.retry.initialBackoffMs * 2 ** (attempt - 1));
    // Full jitter in the upper half: clients that failed together do not come back together.
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
