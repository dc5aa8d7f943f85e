package clarimcp.mcp;

import clarimcp.json.Json;
import clarimcp.json.JsonWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where the record of each tool call goes (Main chooses stderr or CLARI_LOG_FILE). A record holds
 * what an operator needs and nothing a user typed: the tool name, a hash of the arguments, timing,
 * the HTTP statuses seen and the outcome. Never arguments, tokens or response bodies.
 */
public interface CallLog {
    /** The RFC 5424 severities MCP logging uses (server/utilities/logging), least severe first. */
    enum Level {
        DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL, ALERT, EMERGENCY;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The level with this wire name, or null. */
        public static Level parse(String wire) {
            for (Level l : values()) {
                if (l.wire().equals(wire)) return l;
            }
            return null;
        }
    }

    /** How a call ended; the log line says it in lower case. */
    enum Outcome {
        OK, TOOL_ERROR, PROTOCOL_ERROR, CANCELLED;

        /** How a call that returned result ended (null: a bug, answered as a protocol error). */
        public static Outcome of(Tool.Result result) {
            return result == null ? PROTOCOL_ERROR : result.isError() ? TOOL_ERROR : OK;
        }
    }

    /**
     * One finished call. tool is null when the client named no registered tool; statuses counts the
     * responses by HTTP status (0 = no response: timeout, refused connection), in status order.
     */
    record Call(Instant start, String tool, String argumentsSha256, long durationMillis,
            Map<Integer, Integer> statuses, int httpRequests, Outcome outcome) {
        public Call {
            statuses = Collections.unmodifiableMap(new TreeMap<>(statuses));
        }
    }

    /** Records one finished call. Must not throw. */
    void call(Call call);

    /** One HTTP exchange made for a running call (a debug-level detail); path is a template, without ids or query. */
    default void exchange(String tool, String method, String pathTemplate, int status) {}

    /**
     * Measures one tool call: starts the clock, counts HTTP exchanges (from any thread: get_deal_risk fetches
     * batches in parallel) and writes the record once when the call ends.
     */
    final class Meter {
        private final CallLog log;
        private final String tool;
        private final String argumentsSha256;
        private final Instant start = Instant.now();
        private final long startNanos = System.nanoTime();
        private final Map<Integer, Integer> statuses = new TreeMap<>(); // guarded by itself
        private final AtomicBoolean finished = new AtomicBoolean();
        private int requests; // guarded by statuses

        /** tool: the registered tool name, or null; arguments: as received (null when absent). */
        public Meter(CallLog log, String tool, Json arguments) {
            this.log = log;
            this.tool = tool;
            this.argumentsSha256 = sha256(arguments == null ? Json.Obj.EMPTY : arguments);
        }

        /** Counts one exchange (status 0: no response) and passes it on as a debug detail. */
        public void exchange(String method, String pathTemplate, int status) {
            synchronized (statuses) {
                statuses.merge(status, 1, Integer::sum);
                requests++;
            }
            log.exchange(tool, method, pathTemplate, status);
        }

        /** Writes the call's record; only the first outcome counts. */
        public void finish(Outcome outcome) {
            if (!finished.compareAndSet(false, true)) return;
            long millis = (System.nanoTime() - startNanos) / 1_000_000;
            Call call;
            synchronized (statuses) {
                call = new Call(start, tool, argumentsSha256, millis, statuses, requests, outcome);
            }
            log.call(call);
        }

        /** SHA-256 of the canonical JSON (keys sorted), so equal arguments hash alike and nothing of them is logged. */
        static String sha256(Json value) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256")
                        .digest(JsonWriter.writeCanonical(value).getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(digest);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        }
    }

    /**
     * The log as JSON lines: one line per tool call at level info, one per HTTP exchange at debug, written
     * whole under a lock so lines from concurrent calls never interleave. Levels below the configured one are
     * dropped.
     */
    record JsonLines(PrintStream out, Level level) implements CallLog {
        @Override
        public void call(Call c) {
            if (Level.INFO.compareTo(level) < 0) return;
            Map<String, Integer> statuses = new LinkedHashMap<>();
            for (Map.Entry<Integer, Integer> e : c.statuses().entrySet()) {
                statuses.put(Integer.toString(e.getKey()), e.getValue());
            }
            write(Json.obj("ts", c.start().toString(), "level", Level.INFO.wire(), "event", "tool_call",
                    "tool", c.tool() == null ? Json.Null.NULL : c.tool(), "argsSha256", c.argumentsSha256(),
                    "durationMs", c.durationMillis(), "httpRequests", c.httpRequests(), "httpStatuses", statuses,
                    "outcome", c.outcome().name().toLowerCase(Locale.ROOT)));
        }

        @Override
        public void exchange(String tool, String method, String pathTemplate, int status) {
            if (Level.DEBUG.compareTo(level) < 0) return;
            write(Json.obj("ts", Instant.now().toString(), "level", Level.DEBUG.wire(), "event", "http",
                    "tool", tool == null ? Json.Null.NULL : tool, "method", method, "path", pathTemplate,
                    "status", status));
        }

        private void write(Json.Obj line) {
            String text = JsonWriter.write(line);
            synchronized (out) {
                out.println(text);
                out.flush();
            }
        }
    }
}
