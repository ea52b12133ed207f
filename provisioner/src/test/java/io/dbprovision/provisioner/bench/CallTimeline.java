package io.dbprovision.provisioner.bench;

import io.dbprovision.provisioner.service.CallSession;
import io.dbprovision.provisioner.service.ForwardingCallSession;
import io.dbprovision.provisioner.service.SessionFactory;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientStreamTracer;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import java.util.Arrays;
import java.util.function.Function;
import org.jooq.DSLContext;

/**
 * Where one call's time goes between the client and the server, from stream tracers on both sides (one JVM, so one
 * {@link System#nanoTime()} clock): the benchmark makes one call at a time and reads the marks after each call. A
 * mark is 0 when its event did not happen.
 */
final class CallTimeline {
    /** The events of a call, in the order they normally happen. */
    enum Mark {
        /** The client's stub was called (set by the benchmark). */
        CLIENT_START("client: stub called"),
        /** The client handed the request message to its transport. */
        CLIENT_SENT("client: request framed"),
        /** The server's transport decoded the call's headers (its event loop). */
        SERVER_HEADERS("server: headers in (event loop)"),
        /** The call started on a call thread (after the hand-off from the event loop). */
        SERVER_CALL_STARTED("server: call started (call thread)"),
        /** The server's transport read the request message. */
        SERVER_MESSAGE("server: request read"),
        /** The service method was entered (the listener's half-close: request parsed, on the call thread). */
        SERVICE_ENTERED("server: service method entered"),
        /** The call's engine session was opened. */
        SESSION_OPENED("server: session opened"),
        /** The engine asked for its first read (the connection is borrowed next). */
        FIRST_READ("server: engine's first read asked (then borrow)"),
        /** The first statement began (jOOQ start; set from the statement recorder). */
        FIRST_STATEMENT("server: first statement starts"),
        /** The last statement ended (set from the statement recorder). */
        LAST_STATEMENT("server: last statement ends"),
        /** The handler handed its answer to the transport. */
        SERVER_ANSWER("server: answer framed"),
        /** The server's stream closed (trailers written). */
        SERVER_CLOSED("server: stream closed"),
        /** The client's transport read the answer's headers. */
        CLIENT_HEADERS("client: answer headers in"),
        /** The client's transport read the answer. */
        CLIENT_MESSAGE("client: answer read"),
        /** The client's stream closed (status received). */
        CLIENT_CLOSED("client: status in"),
        /** The stub returned to the caller (set by the benchmark). */
        CLIENT_END("client: stub returned");

        final String label;

        Mark(String label) {
            this.label = label;
        }
    }

    private final long[] marks = new long[Mark.values().length];

    synchronized void reset() {
        Arrays.fill(marks, 0);
    }

    synchronized void mark(Mark mark) {
        marks[mark.ordinal()] = System.nanoTime();
    }

    synchronized void set(Mark mark, long nanos) {
        marks[mark.ordinal()] = nanos;
    }

    synchronized long[] snapshot() {
        return marks.clone();
    }

    /** On the server: marks the first event of each kind of the call. */
    ServerStreamTracer.Factory serverTracer() {
        return new ServerStreamTracer.Factory() {
            @Override
            public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
                mark(Mark.SERVER_HEADERS);
                return new ServerStreamTracer() {
                    @Override
                    public void serverCallStarted(ServerCallInfo<?, ?> callInfo) {
                        mark(Mark.SERVER_CALL_STARTED);
                    }

                    @Override
                    public void inboundMessage(int seqNo) {
                        mark(Mark.SERVER_MESSAGE);
                    }

                    @Override
                    public void outboundMessage(int seqNo) {
                        mark(Mark.SERVER_ANSWER);
                    }

                    @Override
                    public void streamClosed(Status status) {
                        mark(Mark.SERVER_CLOSED);
                    }
                };
            }
        };
    }

    /** On the server, around a service: marks when the service method is entered. */
    ServerInterceptor serviceInterceptor() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
                        next.startCall(call, headers)) {
                    @Override
                    public void onHalfClose() {
                        mark(Mark.SERVICE_ENTERED);
                        super.onHalfClose();
                    }
                };
            }
        };
    }

    /** Opens the sessions of {@code factory}, marking when a call opens one and asks for its first read. */
    SessionFactory sessions(SessionFactory factory) {
        return (instance, validateOnly, deadline) -> {
            mark(Mark.SESSION_OPENED);
            return new MarkedSession(factory.open(instance, validateOnly, deadline));
        };
    }

    private final class MarkedSession extends ForwardingCallSession {
        private boolean read;

        MarkedSession(CallSession session) {
            super(session);
        }

        @Override
        public <T> T read(String database, Function<DSLContext, T> query) {
            if (!read) {
                read = true;
                mark(Mark.FIRST_READ);
            }
            return super.read(database, query);
        }
    }

    /** On the client's channel: a stream tracer on every call. */
    ClientInterceptor clientInterceptor() {
        ClientStreamTracer.Factory factory = new ClientStreamTracer.Factory() {
            @Override
            public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
                return new ClientStreamTracer() {
                    @Override
                    public void outboundMessage(int seqNo) {
                        mark(Mark.CLIENT_SENT);
                    }

                    @Override
                    public void inboundHeaders() {
                        mark(Mark.CLIENT_HEADERS);
                    }

                    @Override
                    public void inboundMessage(int seqNo) {
                        mark(Mark.CLIENT_MESSAGE);
                    }

                    @Override
                    public void streamClosed(Status status) {
                        mark(Mark.CLIENT_CLOSED);
                    }
                };
            }
        };
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(
                    MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return next.newCall(method, options.withStreamTracerFactory(factory));
            }
        };
    }
}
