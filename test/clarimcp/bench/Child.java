package clarimcp.bench;

import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A server launcher as a child process over pipes, for the bench: lean (one reader thread, lines stamped
 * with System.nanoTime() when they arrive, stderr to a file) so the client adds as little as possible to
 * what is measured. Started with exactly the given environment plus PATH, as MCP clients do.
 */
final class Child implements AutoCloseable {
    /** A stdout line and when it arrived. */
    record Line(String text, long arrivedNanos) {}

    private static final Line EOF = new Line(null, 0);

    private final Process process;
    private final OutputStream stdin;
    private final LinkedBlockingQueue<Line> lines = new LinkedBlockingQueue<>();
    private final long spawnedNanos;

    private Child(List<String> command, Map<String, String> env, File stderr) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(stderr);
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().putAll(env);
        spawnedNanos = System.nanoTime();
        process = pb.start();
        stdin = process.getOutputStream();
        Thread.ofPlatform().daemon().start(this::readLines);
    }

    static Child start(Path launcher, Map<String, String> env, Path stderr) throws IOException {
        return new Child(List.of(launcher.toString()), env, stderr.toFile());
    }

    private void readLines() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String s; (s = r.readLine()) != null; ) lines.add(new Line(s, System.nanoTime()));
        } catch (IOException e) {
            // the process went away; EOF below tells the waiting side
        } finally {
            lines.add(EOF);
        }
    }

    /** Nanoseconds from just before the spawn to the given instant. */
    long sinceSpawn(long nanos) {
        return nanos - spawnedNanos;
    }

    long pid() {
        return process.pid();
    }

    void send(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    /** The next stdout line; fails if none arrives in time or stdout ends. */
    Line next(long timeoutMillis) throws InterruptedException {
        Line l = lines.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (l == null) throw new IllegalStateException("no answer within " + timeoutMillis + " ms");
        if (l == EOF) throw new IllegalStateException("the server closed stdout (exit " + exitOrRunning() + ")");
        return l;
    }

    /** Sends a request and waits for the response with that id, skipping notifications. */
    Json.Obj request(String line, long id, long timeoutMillis) throws IOException, InterruptedException {
        send(line);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            Line l = next(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            Json.Obj m = parse(l.text());
            if (Json.of(id).equals(m.get("id"))) return m;
        }
    }

    static Json.Obj parse(String line) {
        try {
            if (JsonParser.parse(line) instanceof Json.Obj o) return o;
        } catch (JsonException e) {
            throw new IllegalStateException("not JSON on stdout: " + line, e);
        }
        throw new IllegalStateException("not an object on stdout: " + line);
    }

    /**
     * Peak resident set size (VmHWM) of the process in KiB, or -1 where /proc is missing. The launchers exec
     * the JVM, so the child's pid is the JVM's; checked through /proc/pid/comm.
     */
    long peakRssKiB() throws IOException {
        Path status = Path.of("/proc", Long.toString(pid()), "status");
        if (!Files.isReadable(status)) return -1;
        String comm = Files.readString(Path.of("/proc", Long.toString(pid()), "comm")).strip();
        if (!comm.equals("java")) throw new IllegalStateException("pid " + pid() + " is '" + comm + "', not java: does the launcher exec?");
        for (String l : Files.readAllLines(status)) {
            if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
        return -1;
    }

    private String exitOrRunning() {
        return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
    }

    /** Closes stdin and waits for the exit; kills the process if it lingers. */
    int closeAndWait(long timeoutMillis) throws IOException, InterruptedException {
        stdin.close();
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("no exit within " + timeoutMillis + " ms of end of input");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
