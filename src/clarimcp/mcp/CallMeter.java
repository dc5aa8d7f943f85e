package clarimcp.mcp;

import clarimcp.json.Json;
import clarimcp.json.JsonWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Measures one tool call for the {@link CallLog}: starts the clock, counts HTTP exchanges (from any
 * thread: get_deal_risk fetches batches in parallel) and writes the record once when the call ends.
 */
public final class CallMeter {
    private final CallLog log;
    private final String tool;
    private final String argumentsSha256;
    private final Instant start = Instant.now();
    private final long startNanos = System.nanoTime();
    private final Map<Integer, Integer> statuses = new TreeMap<>(); // guarded by itself
    private final AtomicBoolean finished = new AtomicBoolean();
    private int requests; // guarded by statuses

    /** tool: the registered tool name, or null; arguments: as received (null when absent). */
    public CallMeter(CallLog log, String tool, Json arguments) {
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
    public void finish(CallLog.Outcome outcome) {
        if (!finished.compareAndSet(false, true)) return;
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        CallLog.Call call;
        synchronized (statuses) {
            call = new CallLog.Call(start, tool, argumentsSha256, millis, statuses, requests, outcome);
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
