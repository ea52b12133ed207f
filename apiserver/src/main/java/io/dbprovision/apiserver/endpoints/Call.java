package io.dbprovision.apiserver.endpoints;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/** One HTTP request and its response, over Undertow's exchange, in blocking mode (we run on a virtual thread). */
public final class Call {
    private static final HttpString WARNING = new HttpString("Warning");
    private static final int MAX_WARNING_BYTES = 4096;

    private final HttpServerExchange exchange;
    private final List<String> warnings = new ArrayList<>();

    public Call(HttpServerExchange exchange) {
        this.exchange = exchange;
    }

    public HttpServerExchange exchange() {
        return exchange;
    }

    public String method() {
        return exchange.getRequestMethod().toString();
    }

    public String path() {
        return exchange.getRequestPath();
    }

    public String query(String name) {
        Deque<String> values = exchange.getQueryParameters().getOrDefault(name, new ArrayDeque<>());
        return values.isEmpty() ? "" : values.getFirst();
    }

    public boolean flag(String name) {
        String value = query(name).toLowerCase(Locale.ROOT);
        return value.equals("true") || value.equals("1");
    }

    public String header(String name) {
        HeaderValues values = exchange.getRequestHeaders().get(name);
        return values == null || values.isEmpty() ? "" : values.getFirst();
    }

    public List<MediaType> accept() {
        HeaderValues values = exchange.getRequestHeaders().get(Headers.ACCEPT);
        return MediaType.parseList(values == null ? "" : String.join(",", values));
    }

    public MediaType contentType() {
        String value = header("Content-Type");
        return value.isEmpty() ? MediaType.JSON : MediaType.parse(value);
    }

    /** The body, refused with 413 past {@code limit} bytes. */
    public byte[] body(int limit) {
        try (InputStream in = exchange.getInputStream()) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new io.dbprovision.apiserver.registry.ApiException.RequestEntityTooLarge(
                        "the request body is larger than " + limit + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void warn(String text) {
        warnings.add(text);
    }

    public void warnAll(List<String> texts) {
        warnings.addAll(texts);
    }

    public void respond(int code, String contentType, byte[] body) {
        exchange.setStatusCode(code);
        writeWarnings();
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
        try {
            if (!method().equals("HEAD")) {
                exchange.getOutputStream().write(body);
            }
            exchange.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void respondJson(int code, byte[] body) {
        respond(code, "application/json", body);
    }

    /** A JSON body written in parts, as they are (a list's items, each kept encoded with its stored version). */
    public void respondJson(int code, List<byte[]> parts) {
        long length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        exchange.setStatusCode(code);
        writeWarnings();
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, length);
        try (OutputStream out = exchange.getOutputStream()) {
            if (!method().equals("HEAD")) {
                for (byte[] part : parts) {
                    out.write(part);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void respondText(int code, String text) {
        respond(code, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    public void setHeader(String name, String value) {
        exchange.getResponseHeaders().put(new HttpString(name), value);
    }

    /** Starts a streaming response: headers go out at once, the caller writes and flushes each chunk. */
    public OutputStream stream(int code, String contentType) {
        exchange.setStatusCode(code);
        writeWarnings();
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
        OutputStream out = exchange.getOutputStream();
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Whether the response can still reach the client: false once an HTTP/2 stream was reset by the client (or the
     * connection closed), which a streaming response otherwise only learns at its next write.
     */
    public boolean responseOpen() {
        return exchange.getConnection().isOpen()
                && io.undertow.server.Connectors.getConduitSinkChannel(exchange).isOpen();
    }

    public boolean responseStarted() {
        return exchange.isResponseStarted();
    }

    /** Answers with {@code error} as a Kubernetes {@code Status}, unless a response has already started. */
    public void fail(io.dbprovision.apiserver.registry.ApiException error) {
        if (responseStarted()) {
            return;
        }
        respondJson(error.code(), Json.write(StatusDocuments.failure(error)));
    }

    /** The status code sent, or to be sent (200 until a handler sets another). */
    public int statusCode() {
        return exchange.getStatusCode();
    }

    /** {@code Warning: 299 - "text"} per warning, as Kubernetes sends them, within its 4 KiB budget. */
    private void writeWarnings() {
        int used = 0;
        for (String warning : warnings) {
            String text = warning.length() > 256 ? warning.substring(0, 256) : warning;
            String value = "299 - \"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            used += value.length();
            if (used > MAX_WARNING_BYTES) {
                break;
            }
            exchange.getResponseHeaders().add(WARNING, value);
        }
    }
}
