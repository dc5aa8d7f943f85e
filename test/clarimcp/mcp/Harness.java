package clarimcp.mcp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real McpServer on pipes: a test writes client lines and reads the server's lines. */
final class Harness implements AutoCloseable {
    private final PipedOutputStream client = new PipedOutputStream();
    private final Lines lines = new Lines();
    final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final Thread serving;

    Harness(List<Tool> tools) throws IOException {
        PipedInputStream in = new PipedInputStream(client, 1 << 20);
        McpServer server = new McpServer(tools, List.of(), new McpServer.ServerInfo("test-server", "Test Server", "9.9.9", "Test instructions."),
                new Wire.Writer(lines), new PrintStream(stderr, true, StandardCharsets.UTF_8), call -> { });
        serving = Thread.ofVirtual().start(() -> {
            try {
                server.serve(in);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    void send(String line) throws IOException {
        client.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        client.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        client.write(bytes);
        client.flush();
    }

    /** Waits until the server has written at least n lines in total; returns them all. */
    List<String> await(int n) throws InterruptedException {
        return lines.await(n, 5_000);
    }

    List<String> lines() {
        return lines.snapshot();
    }

    /** Closes stdin and waits for serve to return. */
    void eof() throws Exception {
        client.close();
        serving.join(5_000);
        assertFalse(serving.isAlive(), "serve must return at end of input");
    }

    @Override
    public void close() throws IOException {
        client.close(); // closing twice (after eof()) is harmless
        try {
            serving.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Collects complete lines; fails the test on a '\r' or on output not ending with '\n'. */
    static final class Lines extends OutputStream {
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();
        private final List<String> done = new ArrayList<>();
        private boolean flushedMidLine;

        @Override
        public synchronized void write(int b) {
            assertTrue(b != '\r', "server wrote a carriage return");
            if (b == '\n') {
                done.add(current.toString(StandardCharsets.UTF_8));
                current.reset();
                notifyAll();
            } else {
                current.write(b);
            }
        }

        @Override
        public synchronized void flush() {
            if (current.size() > 0) flushedMidLine = true;
        }

        synchronized List<String> await(int n, long millis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (done.size() < n) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) break;
                wait(left);
            }
            assertFalse(flushedMidLine, "a message was flushed before its newline");
            return new ArrayList<>(done);
        }

        synchronized List<String> snapshot() {
            return new ArrayList<>(done);
        }
    }
}
