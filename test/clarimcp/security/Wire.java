package clarimcp.security;

import clarimcp.e2e.Launcher;
import clarimcp.mcp.CallLog;
import clarimcp.mcp.McpServer;
import clarimcp.mcp.Tool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Both ends of a server's stdio as the fuzzer and the soak see them: raw bytes in, complete stdout lines
 * out. Framing is checked byte by byte as lines arrive: a carriage return, a flush in the middle of a
 * line, or output left without a final newline is recorded as a problem.
 */
abstract class Wire implements AutoCloseable {
    private static final byte[] EOF = new byte[0];
    private final LinkedBlockingQueue<byte[]> lines = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private final StringBuilder problems = new StringBuilder();
    final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    abstract void write(byte[] bytes) throws IOException;

    /** Ends the server's input (EOF); true when the server then stops within the time. */
    abstract boolean endInput(long millis) throws Exception;

    /** Stops the server (best effort; used after a failure). */
    @Override
    public abstract void close();

    /** The next complete stdout line, null on timeout; EOF (an empty array) when stdout has closed. */
    byte[] next(long millis) throws InterruptedException {
        return lines.poll(millis, TimeUnit.MILLISECONDS);
    }

    static boolean isEof(byte[] line) {
        return line == EOF;
    }

    synchronized String problems() {
        return problems.toString();
    }

    String stderrText() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }

    /** Feeds stdout bytes in. */
    final synchronized void accept(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                lines.add(current.toByteArray());
                current.reset();
            } else {
                if (b[i] == '\r') problems.append("stdout holds a carriage return; ");
                current.write(b[i]);
            }
        }
    }

    final synchronized void flushed() {
        if (current.size() > 0) problems.append("a message was flushed before its newline; ");
    }

    final synchronized void closed() {
        if (current.size() > 0) problems.append("stdout ended without a final newline; ");
        lines.add(EOF);
    }

    /** A real McpServer on in-memory pipes. */
    static Wire inProcess(Collection<Tool> tools) {
        return new InProcess(List.copyOf(tools));
    }

    /** The built launcher as a child process over real pipes, with exactly this environment (plus PATH). */
    static Wire launcher(Map<String, String> env) throws IOException {
        return new ChildProcess(env);
    }

    private static final class InProcess extends Wire {
        private final LinkedBlockingQueue<byte[]> input = new LinkedBlockingQueue<>();
        private final Thread serving;

        InProcess(List<Tool> tools) {
            OutputStream out = new OutputStream() {
                @Override
                public void write(int b) {
                    accept(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    accept(b, off, len);
                }

                @Override
                public void flush() {
                    flushed();
                }
            };
            McpServer server = new McpServer(tools, List.of(), new McpServer.ServerInfo("fuzz-server", "Fuzz", "0", "Fuzzing."),
                    new clarimcp.mcp.Wire.Writer(out), new PrintStream(stderr, true, StandardCharsets.UTF_8), call -> { });
            serving = Thread.ofPlatform().name("fuzz-serve").start(() -> {
                try {
                    server.serve(new QueueInput(input));
                } catch (IOException e) {
                    synchronized (stderr) {
                        stderr.writeBytes(("serve failed: " + e).getBytes(StandardCharsets.UTF_8));
                    }
                } finally {
                    closed();
                }
            });
        }

        @Override
        void write(byte[] bytes) {
            input.add(bytes.clone());
        }

        @Override
        boolean endInput(long millis) throws InterruptedException {
            input.add(EOF);
            serving.join(millis);
            return !serving.isAlive();
        }

        @Override
        public void close() {
            input.add(EOF);
        }
    }

    /** An InputStream over queued chunks; an empty chunk is end of input. */
    private static final class QueueInput extends InputStream {
        private final LinkedBlockingQueue<byte[]> chunks;
        private byte[] chunk = new byte[] {};
        private int pos;
        private boolean eof;

        QueueInput(LinkedBlockingQueue<byte[]> chunks) {
            this.chunks = chunks;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (pos == chunk.length) {
                if (eof) return -1;
                try {
                    chunk = chunks.take();
                } catch (InterruptedException e) {
                    throw new IOException("interrupted", e);
                }
                pos = 0;
                if (chunk.length == 0) eof = true;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    private static final class ChildProcess extends Wire {
        private final Process process;
        private final Thread outReader;

        ChildProcess(Map<String, String> env) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(Launcher.path().toString());
            pb.environment().clear();
            pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            pb.environment().putAll(env);
            process = pb.start();
            outReader = Thread.ofPlatform().daemon().start(() -> {
                byte[] buf = new byte[64 * 1024];
                try (InputStream in = process.getInputStream()) {
                    for (int n; (n = in.read(buf)) != -1; ) accept(buf, 0, n);
                } catch (IOException e) {
                    // process gone; closed() below reports an unfinished line
                } finally {
                    closed();
                }
            });
            Thread.ofPlatform().daemon().start(() -> {
                byte[] buf = new byte[8192];
                try (InputStream in = process.getErrorStream()) {
                    for (int n; (n = in.read(buf)) != -1; ) {
                        synchronized (stderr) {
                            stderr.write(buf, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // process gone
                }
            });
        }

        @Override
        void write(byte[] bytes) throws IOException {
            process.getOutputStream().write(bytes);
            process.getOutputStream().flush();
        }

        @Override
        boolean endInput(long millis) throws Exception {
            process.getOutputStream().close();
            boolean ended = process.waitFor(millis, TimeUnit.MILLISECONDS);
            outReader.join(2_000);
            return ended && process.exitValue() == 0;
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
