package clarimcp.mcp;

import java.time.Instant;
import java.util.Map;

/**
 * Where the record of each tool call goes (Main chooses stderr or CLARI_LOG_FILE). A record holds
 * what an operator needs and nothing a user typed: the tool name, a hash of the arguments, timing,
 * the HTTP statuses seen and the outcome. Never arguments, tokens or response bodies.
 */
public interface CallLog {
    /** How a call ended; {@link #wire()} is what the log line says. */
    enum Outcome {
        OK, TOOL_ERROR, PROTOCOL_ERROR, CANCELLED;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One finished call. tool is null when the client named no registered tool; statuses counts the
     * responses by HTTP status (0 = no response: timeout, refused connection).
     */
    record Call(Instant start, String tool, String argumentsSha256, long durationMillis,
            Map<Integer, Integer> statuses, int httpRequests, Outcome outcome) {
        public Call {
            statuses = Map.copyOf(statuses);
        }
    }

    /** Records one finished call. Must not throw. */
    void call(Call call);

    /** One HTTP exchange made for a running call (a debug-level detail); path is a template, without ids or query. */
    default void exchange(String tool, String method, String pathTemplate, int status) {}

    /**
     * Records nothing. A class, not a lambda: the start-up cache does not keep a lambda made in an
     * interface's initializer, and spinning one (the JDK's class-file generator, first used) took ~2 ms of
     * a class-init log of a start, before the initialize reply.
     */
    CallLog NONE = new CallLog() {
        @Override
        public void call(Call call) {}
    };
}
