package io.dbprovision.apiserver.controller;

import java.time.Duration;
import java.util.Optional;

/**
 * What a reconcile asks of its controller: nothing more ({@link #done}), or another reconcile of the same key after a
 * while ({@link #requeueAfter}: waiting on something outside, such as a database server's health check). A failure
 * is an exception instead, retried with the key's backoff.
 */
public record Result(Optional<Duration> requeueAfter) {
    private static final Result DONE = new Result(Optional.empty());

    public static Result done() {
        return DONE;
    }

    public static Result requeueAfter(Duration delay) {
        return new Result(Optional.of(delay));
    }
}
