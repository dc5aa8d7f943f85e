package clarimcp.mcp;

import clarimcp.json.Json;
import clarimcp.json.JsonWriter;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Map;

/**
 * The {@link CallLog} as JSON lines: one line per tool call at level info, one per HTTP exchange at
 * debug, written whole under a lock so lines from concurrent calls never interleave. Levels below
 * the configured one are dropped.
 */
public final class JsonLinesLog implements CallLog {
    private final PrintStream out;
    private final LogLevel level;

    public JsonLinesLog(PrintStream out, LogLevel level) {
        this.out = out;
        this.level = level;
    }

    @Override
    public void call(Call c) {
        if (LogLevel.INFO.compareTo(level) < 0) return;
        Json.Builder statuses = Json.Obj.builder();
        for (Map.Entry<Integer, Integer> e : c.statuses().entrySet()) statuses.put(Integer.toString(e.getKey()), e.getValue());
        write(Json.Obj.builder()
                .put("ts", c.start().toString())
                .put("level", LogLevel.INFO.wire())
                .put("event", "tool_call")
                .put("tool", c.tool() == null ? Json.Null.NULL : new Json.Str(c.tool()))
                .put("argsSha256", c.argumentsSha256())
                .put("durationMs", c.durationMillis())
                .put("httpRequests", c.httpRequests())
                .put("httpStatuses", statuses.build())
                .put("outcome", c.outcome().wire())
                .build());
    }

    @Override
    public void exchange(String tool, String method, String pathTemplate, int status) {
        if (LogLevel.DEBUG.compareTo(level) < 0) return;
        write(Json.Obj.builder()
                .put("ts", Instant.now().toString())
                .put("level", LogLevel.DEBUG.wire())
                .put("event", "http")
                .put("tool", tool == null ? Json.Null.NULL : new Json.Str(tool))
                .put("method", method)
                .put("path", pathTemplate)
                .put("status", status)
                .build());
    }

    private void write(Json.Obj line) {
        String text = JsonWriter.write(line);
        synchronized (out) {
            out.println(text);
            out.flush();
        }
    }
}
