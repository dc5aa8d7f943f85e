package clarimcp.e2e;

import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The real built launcher (build/image/bin/clari-revops-mcp) as a child process over real
 * pipes, the way Claude Desktop runs it. Every stdout line is checked to be one JSON value
 * terminated by '\n' alone; stderr is kept so tests can prove the token never shows there.
 * Free of JUnit (failures are AssertionErrors) so that `make demo` can use it too.
 */
public final class Launcher implements AutoCloseable {
    private static final Json EOF_MARK = Json.Null.NULL;

    private final Process process;
    private final OutputStream stdin;
    private final LinkedBlockingQueue<Json> lines = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final Thread outReader;
    private final Thread errReader;
    private volatile String framingProblem;

    public static Path path() {
        String p = System.getProperty("clarimcp.launcher", "build/image/bin/clari-revops-mcp");
        Path path = Path.of(p);
        if (!Files.isExecutable(path)) fail("build the image first (make): no launcher at " + path.toAbsolutePath());
        return path;
    }

    /** Starts the launcher with exactly this environment (plus PATH), as MCP clients do. */
    public static Launcher start(Map<String, String> env, String... args) throws IOException {
        return new Launcher(env, args);
    }

    private Launcher(Map<String, String> env, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder();
        pb.command().add(path().toString());
        pb.command().addAll(List.of(args));
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().putAll(env);
        process = pb.start();
        stdin = process.getOutputStream();
        outReader = Thread.ofPlatform().daemon().start(() -> readLines(process.getInputStream()));
        errReader = Thread.ofPlatform().daemon().start(() -> copy(process.getErrorStream(), stderr));
    }

    private void readLines(InputStream in) {
        try {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b; (b = in.read()) != -1; ) {
                synchronized (stdout) {
                    stdout.write(b);
                }
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    line.reset();
                    try {
                        lines.add(JsonParser.parse(bytes));
                    } catch (JsonException e) {
                        framingProblem = "stdout line is not JSON (" + e.getMessage() + "): "
                                + new String(bytes, StandardCharsets.UTF_8);
                    }
                } else if (b == '\r') {
                    framingProblem = "stdout contains a carriage return";
                } else {
                    line.write(b);
                }
            }
            if (line.size() > 0) framingProblem = "stdout ended without a final newline";
        } catch (IOException e) {
            framingProblem = "stdout read failed: " + e;
        } finally {
            lines.add(EOF_MARK);
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try {
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) != -1; ) {
                synchronized (out) {
                    out.write(buf, 0, n);
                }
            }
        } catch (IOException ignored) {
            // process gone: what was read is kept
        }
    }

    public void send(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** The next stdout message, failing the test if none arrives in time. */
    public Json.Obj next(long timeoutMillis) throws InterruptedException {
        Json j = lines.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (j == null) fail("no message within " + timeoutMillis + " ms; stderr: " + stderr());
        if (j == EOF_MARK) fail("server closed stdout; stderr: " + stderr());
        if (!(j instanceof Json.Obj o)) throw new AssertionError("expected an object, got " + j);
        checkFraming();
        return o;
    }

    /** Sends a request and returns its response, skipping notifications (collected by the caller if needed). */
    public Json.Obj request(String line, Json id, long timeoutMillis, List<Json.Obj> notifications) throws Exception {
        send(line);
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            Json.Obj m = next(Math.max(1, deadline - System.currentTimeMillis()));
            if (m.has("id") && id.equals(m.get("id"))) return m;
            if (notifications != null && m.has("method")) notifications.add(m);
        }
    }

    public void checkFraming() {
        if (framingProblem != null) fail(framingProblem);
    }

    /** Closes stdin and returns the exit code; fails if the process does not end promptly. */
    public int closeAndWait(long timeoutMillis) throws Exception {
        stdin.close();
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            fail("server did not exit within " + timeoutMillis + " ms of end of input");
        }
        outReader.join(2_000);
        errReader.join(2_000);
        checkFraming();
        return process.exitValue();
    }

    private static void fail(String message) {
        throw new AssertionError(message);
    }

    /** The server's process id (the JVM's: the launcher execs it). */
    public long pid() {
        return process.pid();
    }

    public String stderr() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }

    public String stdout() {
        synchronized (stdout) {
            return stdout.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
