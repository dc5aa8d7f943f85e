package clarimcp.clari;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted HTTP server on 127.0.0.1 for the client tests: it records every request that arrives and
 * answers the n-th one with the n-th reply (the last reply repeats). Not the Clari sandbox: it knows no API.
 */
final class StubServer implements AutoCloseable {
    record Request(String method, String path, String query, Headers headers, byte[] body) {
        String bodyText() {
            return new String(body, UTF_8);
        }
    }

    /**
     * chunked: send without Content-Length; hang: never answer (until the server closes); declared: a
     * Content-Length to announce instead of the real one (-1: the real one), the rest never coming.
     */
    record Reply(int status, Map<String, String> headers, byte[] body, boolean chunked, boolean hang, long declared) {
        static Reply json(int status, String json) {
            return new Reply(status, Map.of("Content-Type", "application/json"), json.getBytes(UTF_8), false, false, -1);
        }

        static Reply of(int status, String contentType, String body, Map<String, String> extra) {
            Map<String, String> h = new HashMap<>(extra);
            h.put("Content-Type", contentType);
            return new Reply(status, h, body.getBytes(UTF_8), false, false, -1);
        }

        static Reply hanging() {
            return new Reply(200, Map.of(), new byte[0], false, true, -1);
        }

        Reply chunkedBody() {
            return new Reply(status, headers, body, true, hang, -1);
        }

        Reply declaring(long length) {
            return new Reply(status, headers, body, false, hang, length);
        }
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Reply> replies;
    private final AtomicInteger next = new AtomicInteger();
    private final CountDownLatch closing = new CountDownLatch(1);
    /** Released once per request received, so tests can wait for arrival instead of sleeping. */
    final Semaphore arrived = new Semaphore(0);
    private final HttpServer server;

    StubServer(Reply... replies) throws IOException {
        this.replies = List.of(replies);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(),
                        exchange.getRequestBody().readAllBytes()));
                arrived.release();
                Reply r = this.replies.get(Math.min(next.getAndIncrement(), this.replies.size() - 1));
                if (r.hang()) {
                    closing.await();
                    return;
                }
                r.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
                long length = r.declared() >= 0 ? r.declared() : r.chunked() ? 0 : r.body().length == 0 ? -1 : r.body().length;
                exchange.sendResponseHeaders(r.status(), length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(r.body());
                    out.flush();
                    if (r.declared() > r.body().length) closing.await();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    /** The base URL a client is configured with: http://127.0.0.1:port/v4. */
    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v4");
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
    }
}
