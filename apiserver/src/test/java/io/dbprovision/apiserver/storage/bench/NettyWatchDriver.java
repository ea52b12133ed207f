package io.dbprovision.apiserver.storage.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2EventAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The HTTP benchmark's lean watch client ({@code -Dbench.watchDriver=netty}): the same watch streams as the JDK
 * driver — over HTTP/2 spread over a few connections, over HTTP/1.1 one TLS connection each — with the same
 * credentials and URL, read on one Netty event-loop thread (NIO, TLS by the JDK's provider) and handed to
 * {@link WatchLines} as each DATA frame or chunk arrives. Nothing is parsed beyond the HTTP framing and the byte search
 * for the object's name, nothing is handed to another thread: the JDK HttpClient costs 50–75 µs of CPU per delivered
 * event (its selector thread, a worker per stream's data, the body subscriber's queue and a virtual thread per
 * stream), which on the server's two cores makes a p99 of 10 ms with 1,000 watchers unmeasurable.
 *
 * <p>Flow control: each stream's window is 16 MiB and the connection's 64 MiB, as the JDK client's defaults
 * ({@code jdk.httpclient.windowsize}, {@code jdk.httpclient.connectionWindowSize}), returned as soon as a frame has
 * been read, so that the server is never held back by the reader.
 */
final class NettyWatchDriver implements AutoCloseable {
    /** The names of its event-loop threads: their CPU is the driver's ({@link ThreadCpu#nanosOfThreadsNamed}). */
    static final String THREAD_PREFIX = "netty-watch-";

    private static final int STREAM_WINDOW = 16 * 1024 * 1024;
    private static final int CONNECTION_WINDOW = 64 * 1024 * 1024;
    /** Handshakes and watch registrations on a loaded two-core machine, 1,000 at once (the JDK driver's 120 s). */
    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(120);

    private static final PooledByteBufAllocator HEAP = new PooledByteBufAllocator(false);

    private final EventLoopGroup group;
    private final int threads;

    NettyWatchDriver(int threads) {
        // Leak detection samples buffers with a stack trace each (1 in 128): a cost of the tool, not of reading.
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        this.threads = threads;
        this.group = new MultiThreadIoEventLoopGroup(
                threads,
                new DefaultThreadFactory(THREAD_PREFIX.substring(0, THREAD_PREFIX.length() - 1), true),
                NioIoHandler.newFactory());
    }

    /** The CPU its event-loop threads have used so far (ns). */
    long cpuNanos() {
        return ThreadCpu.nanosOfThreadsNamed(THREAD_PREFIX);
    }

    String describe() {
        return "Netty "
                + io.netty.util.Version.identify()
                        .getOrDefault("netty-codec-http2", null)
                        .artifactVersion()
                + " (" + threads + " event-loop thread" + (threads == 1 ? "" : "s") + ", NIO, JDK TLS, heap buffers)";
    }

    /** The server's address and CA, who the requests come from, and the protocol. */
    record Target(String host, int port, Path caCertificate, BenchCredentials credentials, boolean http2) {
        /** An HTTP/2 request's headers: {@code method} of {@code path}, JSON accepted, the credentials' headers. */
        Http2Headers http2Headers(String method, String path) {
            Http2Headers headers = new DefaultHttp2Headers()
                    .method(method)
                    .scheme("https")
                    .authority(host + ":" + port)
                    .path(path);
            headers.add("accept", "application/json");
            for (Map.Entry<String, String> header : credentials.headers()) {
                headers.add(header.getKey().toLowerCase(Locale.ROOT), header.getValue());
            }
            return headers;
        }

        /** The same over HTTP/1.1, with {@code body} (empty for none). */
        DefaultFullHttpRequest http1Request(HttpMethod method, String path, ByteBuf body) {
            DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path, body);
            request.headers().set(HttpHeaderNames.HOST, host + ":" + port);
            request.headers().set(HttpHeaderNames.ACCEPT, "application/json");
            for (Map.Entry<String, String> header : credentials.headers()) {
                request.headers().add(header.getKey(), header.getValue());
            }
            return request;
        }
    }

    /**
     * Opens one watch per element of {@code streams} at {@code path} (with its query), over {@code connections}
     * HTTP/2 connections (stream {@code i} on connection {@code i % connections}) or over one HTTP/1.1 connection
     * each; returns once every response's headers said 200 (the watches are registered). {@code onEnd} hears of each
     * stream that ends before {@link Watches#close}, with why.
     */
    Watches open(Target target, String path, List<WatchLines> streams, int connections, Consumer<String> onEnd)
            throws Exception {
        Watches watches = new Watches(onEnd);
        SslContext tls = tls(target);
        List<CompletableFuture<Void>> opened = new ArrayList<>();
        try {
            if (target.http2()) {
                int count = Math.min(connections, streams.size());
                List<List<WatchStream>> byConnection = new ArrayList<>();
                for (int c = 0; c < count; c++) {
                    byConnection.add(new ArrayList<>());
                }
                for (int i = 0; i < streams.size(); i++) {
                    WatchStream stream = new WatchStream(streams.get(i), watches);
                    byConnection.get(i % count).add(stream);
                    opened.add(stream.opened);
                }
                for (List<WatchStream> mine : byConnection) {
                    openHttp2(target, tls, path, mine, watches);
                }
            } else {
                for (WatchLines lines : streams) {
                    WatchStream stream = new WatchStream(lines, watches);
                    opened.add(stream.opened);
                    openHttp1(target, tls, path, stream, watches);
                }
            }
            CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new))
                    .get(OPEN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            watches.close();
            long done = opened.stream()
                    .filter(f -> f.isDone() && !f.isCompletedExceptionally())
                    .count();
            throw new IllegalStateException("watch: only " + done + " of " + streams.size() + " streams opened in "
                    + OPEN_TIMEOUT.toSeconds() + " s");
        } catch (Exception e) {
            watches.close();
            throw e;
        }
        return watches;
    }

    private SslContext tls(Target target) throws Exception {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .trustManager(BenchCredentials.trustManagers(target.caCertificate()))
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        target.http2() ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1));
        if (target.http2()) {
            builder.ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
        }
        var keys = target.credentials().keyManagers();
        if (keys.isPresent()) {
            builder.keyManager(keys.get());
        }
        return builder.build();
    }

    private Bootstrap bootstrap(Target target, SslContext tls, java.util.function.Consumer<SocketChannel> handlers) {
        return bootstrap(group, target, tls, handlers);
    }

    private static Bootstrap bootstrap(
            EventLoopGroup on, Target target, SslContext tls, java.util.function.Consumer<SocketChannel> handlers) {
        return new Bootstrap()
                .group(on)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                // heap buffers: the JDK's TLS decrypts AES-GCM in place in arrays, but copies direct buffers into
                // new arrays record by record; WatchLines then reads the array without a copy either
                .option(ChannelOption.ALLOCATOR, HEAP)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) OPEN_TIMEOUT.toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        SslHandler ssl = tls.newHandler(channel.alloc(), target.host(), target.port());
                        ssl.setHandshakeTimeoutMillis(OPEN_TIMEOUT.toMillis());
                        channel.pipeline().addLast(ssl);
                        handlers.accept(channel);
                    }
                });
    }

    // ---------------------------------------------------------------------------------------------------------
    // HTTP/2

    /**
     * One HTTP/2 connection with {@code streams}: once TLS has negotiated h2, the connection's window is raised and
     * every stream's HEADERS (GET, END_STREAM) written, then flushed at once.
     */
    private void openHttp2(Target target, SslContext tls, String path, List<WatchStream> streams, Watches watches) {
        Http2Watches frames = new Http2Watches();
        ChannelFuture connect = bootstrap(target, tls, channel -> {
                    Http2ConnectionHandler handler = new HandlerBuilder(frames, STREAM_WINDOW).build();
                    handler.connection().addListener(frames);
                    channel.pipeline().addLast(handler);
                })
                .connect(target.host(), target.port());
        watches.add(connect.channel());
        connect.addListener(connected -> {
            if (!connected.isSuccess()) {
                streams.forEach(stream -> stream.failOpen("connect: " + connected.cause()));
                return;
            }
            SslHandler ssl = connect.channel().pipeline().get(SslHandler.class);
            ssl.handshakeFuture().addListener(handshake -> {
                if (!handshake.isSuccess()) {
                    streams.forEach(stream -> stream.failOpen("TLS: " + handshake.cause()));
                } else if (!ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
                    streams.forEach(stream -> stream.failOpen("ALPN chose " + ssl.applicationProtocol() + ", not h2"));
                    connect.channel().close();
                } else {
                    startStreams(target, path, connect.channel(), frames, streams);
                }
            });
        });
    }

    /** On the connection's event loop: the connection window, then one GET per stream, flushed together. */
    private static void startStreams(
            Target target, String path, Channel channel, Http2Watches frames, List<WatchStream> streams) {
        Http2ConnectionHandler handler = channel.pipeline().get(Http2ConnectionHandler.class);
        ChannelHandlerContext ctx = channel.pipeline().context(handler);
        Http2Connection connection = handler.connection();
        try {
            connection
                    .local()
                    .flowController()
                    .incrementWindowSize(
                            connection.connectionStream(), CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE);
        } catch (Http2Exception e) {
            streams.forEach(stream -> stream.failOpen("the connection window: " + e));
            return;
        }
        for (WatchStream stream : streams) {
            Http2Headers headers = target.http2Headers("GET", path);
            int id = connection.local().incrementAndGetNextStreamId();
            frames.streams.put(id, stream);
            handler.encoder()
                    .writeHeaders(ctx, id, headers, 0, true, ctx.newPromise())
                    .addListener(written -> {
                        if (!written.isSuccess()) {
                            stream.failOpen("HEADERS: " + written.cause());
                        }
                    });
        }
        ctx.flush();
    }

    /**
     * The frames of one HTTP/2 connection's watch streams (its frame listener, and a listener of its streams'
     * closing): headers open a watch, DATA goes to its lines, the end of a stream is reported. Event loop only.
     */
    private static final class Http2Watches extends Frames {
        final IntObjectHashMap<WatchStream> streams = new IntObjectHashMap<>();

        private byte[] scratch = new byte[16 * 1024];

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            int processed = data.readableBytes() + padding; // returned to the window at once
            WatchStream stream = streams.get(streamId);
            if (stream != null) {
                scratch = stream.feed(data, System.nanoTime(), scratch);
                if (endOfStream) {
                    stream.end("the server ended the stream");
                }
            }
            return processed;
        }

        @Override
        public void onHeadersRead(
                ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endOfStream) {
            WatchStream stream = streams.get(streamId);
            if (stream == null) {
                return;
            }
            if (!stream.opened.isDone()) {
                CharSequence status = headers.status();
                if (status != null && "200".contentEquals(status)) {
                    stream.opened.complete(null);
                } else {
                    stream.failOpen("watch: " + status + " over HTTP/2");
                }
            }
            if (endOfStream) {
                stream.end("the server ended the stream (HEADERS)");
            }
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            WatchStream stream = streams.get(streamId);
            if (stream != null) {
                stream.end("RST_STREAM " + Http2Error.valueOf(errorCode));
            }
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
            failed("GOAWAY " + Http2Error.valueOf(errorCode) + " "
                    + debugData.toString(java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public void onStreamClosed(Http2Stream closed) {
            WatchStream stream = streams.remove(closed.id());
            if (stream != null) {
                String why = connectionError != null ? connectionError : "the stream closed";
                stream.failOpen(why);
                stream.end(why);
            }
        }
    }

    /**
     * A connection's frame listener: the HEADERS callback with priority goes to the one without, and the first error
     * of the connection (a GOAWAY, or an error of its handler) is kept for the reports.
     */
    private abstract static class Frames extends Http2EventAdapter {
        /** Why the connection failed, when it did. */
        String connectionError;

        void failed(String why) {
            if (connectionError == null) {
                connectionError = why;
            }
        }

        @Override
        public void onHeadersRead(
                ChannelHandlerContext ctx,
                int streamId,
                Http2Headers headers,
                int streamDependency,
                short weight,
                boolean exclusive,
                int padding,
                boolean endOfStream)
                throws Http2Exception {
            onHeadersRead(ctx, streamId, headers, padding, endOfStream);
        }
    }

    /** The connection handler, telling its listener of the error that fails the connection. */
    private static final class ConnectionHandler extends Http2ConnectionHandler {
        private final Frames frames;

        ConnectionHandler(
                Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings, Frames frames) {
            super(decoder, encoder, settings);
            this.frames = frames;
        }

        @Override
        public void onError(ChannelHandlerContext ctx, boolean outbound, Throwable cause) {
            frames.failed(cause.toString());
            super.onError(ctx, outbound, cause);
        }
    }

    /** A client connection with {@code frames} as its listener: no push, no graceful wait on close. */
    private static final class HandlerBuilder
            extends AbstractHttp2ConnectionHandlerBuilder<ConnectionHandler, HandlerBuilder> {
        private final Frames frames;

        /** @param streamWindow the window of each stream this side receives on */
        HandlerBuilder(Frames frames, int streamWindow) {
            this.frames = frames;
            server(false);
            frameListener(frames);
            initialSettings(Http2Settings.defaultSettings()
                    .initialWindowSize(streamWindow)
                    .pushEnabled(false));
            gracefulShutdownTimeoutMillis(0);
        }

        @Override
        public ConnectionHandler build() {
            return super.build();
        }

        @Override
        protected ConnectionHandler build(
                Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings initialSettings) {
            return new ConnectionHandler(decoder, encoder, initialSettings, frames);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // HTTP/1.1

    private void openHttp1(Target target, SslContext tls, String path, WatchStream stream, Watches watches) {
        ChannelFuture connect = bootstrap(
                        target,
                        tls,
                        channel -> channel.pipeline()
                                .addLast(new HttpClientCodec())
                                .addLast(new Http1Watch(target, path, stream)))
                .connect(target.host(), target.port());
        watches.add(connect.channel());
        connect.addListener(done -> {
            if (!done.isSuccess()) {
                stream.failOpen("connect: " + done.cause());
            }
        });
    }

    /** One watch over its own HTTP/1.1 connection: the GET when connected, then the chunks of its response. */
    private static final class Http1Watch extends SimpleChannelInboundHandler<HttpObject> {
        private final Target target;
        private final String path;
        private final WatchStream stream;
        private byte[] scratch = new byte[16 * 1024];

        Http1Watch(Target target, String path, WatchStream stream) {
            this.target = target;
            this.path = path;
            this.stream = stream;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(target.http1Request(
                    HttpMethod.GET,
                    path,
                    Unpooled.EMPTY_BUFFER)); // queued by the SslHandler until its handshake is done
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
            if (message instanceof HttpResponse response) {
                if (response.status().code() == 200) {
                    stream.opened.complete(null);
                } else {
                    stream.failOpen("watch: " + response.status() + " over HTTP/1.1");
                }
            }
            if (message instanceof HttpContent content) {
                long now = System.nanoTime();
                ByteBuf data = content.content();
                if (data.isReadable()) {
                    scratch = stream.feed(data, now, scratch);
                }
                if (content instanceof LastHttpContent) {
                    stream.end("the server ended the stream");
                    ctx.close();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            stream.end("the connection closed");
            stream.failOpen("the connection closed before the response");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            stream.end(cause.toString());
            stream.failOpen(cause.toString());
            ctx.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // one stream, and all of a run's

    /** One watch: its lines, whether its response has said 200, whether it has ended. Used on its event loop. */
    private static final class WatchStream {
        final WatchLines lines;
        final CompletableFuture<Void> opened = new CompletableFuture<>();
        private final Watches watches;
        private boolean ended;

        WatchStream(WatchLines lines, Watches watches) {
            this.lines = lines;
            this.watches = watches;
        }

        /** Feeds {@code data} (not consumed) to the lines; returns the scratch array, grown if it had to be. */
        byte[] feed(ByteBuf data, long now, byte[] scratch) {
            if (ended) {
                return scratch;
            }
            int length = data.readableBytes();
            try {
                if (data.hasArray()) {
                    lines.feed(data.array(), data.arrayOffset() + data.readerIndex(), length, now);
                } else {
                    if (scratch.length < length) {
                        scratch = new byte[Math.max(length, scratch.length * 2)];
                    }
                    data.getBytes(data.readerIndex(), scratch, 0, length);
                    lines.feed(scratch, 0, length, now);
                }
            } catch (IOException e) {
                end(e.toString());
            }
            return scratch;
        }

        void failOpen(String why) {
            opened.completeExceptionally(new IllegalStateException(why));
        }

        void end(String why) {
            if (!ended) {
                ended = true;
                watches.ended(why);
            }
        }
    }

    /** The connections of one run; closing them ends its streams without reporting them. */
    static final class Watches implements AutoCloseable {
        private final Consumer<String> onEnd;
        private final AtomicBoolean closing = new AtomicBoolean();
        private final List<Channel> channels = new ArrayList<>();

        Watches(Consumer<String> onEnd) {
            this.onEnd = onEnd;
        }

        synchronized void add(Channel channel) {
            channels.add(channel);
        }

        void ended(String why) {
            if (!closing.get()) {
                onEnd.accept(why);
            }
        }

        @Override
        public void close() {
            closing.set(true);
            List<Channel> all;
            synchronized (this) {
                all = List.copyOf(channels);
            }
            List<ChannelFuture> closed = new ArrayList<>();
            for (Channel channel : all) {
                closed.add(channel.close());
            }
            for (ChannelFuture future : closed) {
                future.awaitUninterruptibly(10, TimeUnit.SECONDS);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // the writer

    /**
     * Opens the watch runs' writer: one connection of its own (HTTP/2 or HTTP/1.1 as {@code target} says) on an
     * event-loop thread of its own, so that its CPU is not counted as the watchers' and its responses never queue
     * behind their events. Returns once the connection is up (TLS and, over HTTP/2, its protocol negotiated).
     */
    Poster openPoster(Target target) throws Exception {
        return new Poster(target, tls(target));
    }

    /** POSTs one at a time over one connection; {@link #post} returns the response's status once it has ended. */
    static final class Poster implements AutoCloseable {
        private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

        private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("netty-writer", true), NioIoHandler.newFactory());
        private final Target target;
        private final Channel channel;
        private Http2ConnectionHandler http2; // set on the event loop before the connection is up
        private volatile CompletableFuture<Integer> answer;

        private Poster(Target target, SslContext tls) throws Exception {
            this.target = target;
            Bootstrap bootstrap = bootstrap(loop, target, tls, channel -> {
                if (target.http2()) {
                    http2 = new HandlerBuilder(new Answers(), Http2CodecUtil.DEFAULT_WINDOW_SIZE).build();
                    channel.pipeline().addLast(http2);
                } else {
                    channel.pipeline()
                            .addLast(new HttpClientCodec())
                            .addLast(new HttpObjectAggregator(1 << 20))
                            .addLast(new SimpleChannelInboundHandler<FullHttpResponse>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
                                    answered(response.status().code());
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    failAnswer(cause);
                                    ctx.close();
                                }
                            });
                }
            });
            this.channel =
                    bootstrap.connect(target.host(), target.port()).sync().channel();
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            ssl.handshakeFuture().sync();
            if (target.http2() && !ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
                close();
                throw new IllegalStateException("the writer's connection: ALPN chose " + ssl.applicationProtocol());
            }
        }

        /** The responses' frames: the status from HEADERS, the answer at the end of the stream. */
        private final class Answers extends Frames {
            private int status;

            @Override
            void failed(String why) {
                super.failed(why);
                failAnswer(new IllegalStateException("the writer's connection: " + why));
            }

            @Override
            public int onDataRead(
                    ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
                if (endOfStream) {
                    answered(status);
                }
                return data.readableBytes() + padding;
            }

            @Override
            public void onHeadersRead(
                    ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endOfStream) {
                CharSequence code = headers.status();
                if (code != null) {
                    status = Integer.parseInt(code.toString());
                }
                if (endOfStream) {
                    answered(status);
                }
            }
        }

        private void answered(int status) {
            CompletableFuture<Integer> waiting = answer;
            if (waiting != null) {
                waiting.complete(status);
            }
        }

        /** POSTs {@code body} (JSON) to {@code path}; the response's status once its last byte has arrived. */
        int post(String path, byte[] body) throws Exception {
            CompletableFuture<Integer> mine = new CompletableFuture<>();
            answer = mine;
            channel.eventLoop().execute(() -> {
                try {
                    send(path, body);
                } catch (RuntimeException e) {
                    mine.completeExceptionally(e);
                }
            });
            return mine.get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void send(String path, byte[] body) {
            if (!channel.isActive()) {
                throw new IllegalStateException("the writer's connection is closed");
            }
            if (target.http2()) {
                ChannelHandlerContext ctx = channel.pipeline().context(http2);
                Http2Headers headers = target.http2Headers("POST", path);
                headers.add("content-type", "application/json");
                int id = http2.connection().local().incrementAndGetNextStreamId();
                http2.encoder()
                        .writeHeaders(ctx, id, headers, 0, false, ctx.newPromise())
                        .addListener(this::writeFailed);
                http2.encoder()
                        .writeData(ctx, id, Unpooled.wrappedBuffer(body), 0, true, ctx.newPromise())
                        .addListener(this::writeFailed);
                // through the whole pipeline: the handler's own flush writes what its flow controller holds (DATA)
                channel.flush();
            } else {
                DefaultFullHttpRequest request =
                        target.http1Request(HttpMethod.POST, path, Unpooled.wrappedBuffer(body));
                request.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
                request.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
                channel.writeAndFlush(request).addListener(this::writeFailed);
            }
        }

        private void writeFailed(io.netty.util.concurrent.Future<? super Void> written) {
            if (!written.isSuccess()) {
                failAnswer(written.cause());
            }
        }

        private void failAnswer(Throwable cause) {
            CompletableFuture<Integer> waiting = answer;
            if (waiting != null) {
                waiting.completeExceptionally(cause);
            }
        }

        @Override
        public void close() {
            if (channel != null) {
                channel.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
            }
            loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
