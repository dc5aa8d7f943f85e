package clarimcp.mcp;

import clarimcp.json.Json;
import java.io.PrintStream;
import java.util.Map;
import java.util.Objects;

/**
 * What a tool returns: compact text for the model and, when the tool declares an output schema,
 * the matching structured content (sent only when the negotiated protocol version has it).
 */
public record ToolResult(String text, Json.Obj structured, boolean isError) {
    /**
     * Longest structuredContent, in characters as written: far above any real answer (the text is capped at
     * 40,000), yet a hostile Clari cannot make us send (and build) a line of hundreds of MB.
     */
    public static final int MAX_STRUCTURED_CHARS = 1_000_000;

    public ToolResult {
        Objects.requireNonNull(text);
    }

    public static ToolResult ok(String text, Json.Obj structured) {
        return new ToolResult(text, structured, false);
    }

    public static ToolResult error(String text) {
        return new ToolResult(text, null, true);
    }

    /**
     * The one tool runner (the server and the `call` command): the tool's result within {@link
     * #MAX_STRUCTURED_CHARS}; a ToolException, or an Error such as OutOfMemoryError or StackOverflowError, as an
     * isError result, so no call goes unanswered and the server goes on. Null for a bug (a RuntimeException),
     * reported on diagnostics only. Interruption (cancellation) propagates.
     */
    public static ToolResult run(Tool tool, Json.Obj arguments, ToolContext context, PrintStream diagnostics)
            throws InterruptedException {
        try {
            ToolResult r = tool.call(arguments, context);
            if (r.structured() != null && writtenSize(r.structured(), MAX_STRUCTURED_CHARS) > MAX_STRUCTURED_CHARS) {
                return error("answer too large: its structured part is over " + MAX_STRUCTURED_CHARS
                        + " characters; narrow the request (a shorter period, fewer ids, a lower limit)");
            }
            return r;
        } catch (ToolException e) {
            return error(e.getMessage());
        } catch (OutOfMemoryError e) {
            report(diagnostics, tool, e); // the call's data is unreachable once we are here: the heap is free again
            return error("answer too large for this server's memory; narrow the request (a shorter period, fewer ids, "
                    + "a lower limit)");
        } catch (RuntimeException e) {
            report(diagnostics, tool, e);
            return null;
        } catch (Error e) { // StackOverflowError, InternalError...: this call failed, the server need not
            report(diagnostics, tool, e);
            return error("internal error in " + tool.name() + " (" + e.getClass().getSimpleName()
                    + "); the details are in the server's log (stderr)");
        }
    }

    private static void report(PrintStream diagnostics, Tool tool, Throwable e) {
        try {
            diagnostics.println("clari-revops-mcp: internal error in tool " + tool.name() + ": " + e);
            e.printStackTrace(diagnostics);
        } catch (Error again) {
            // out of memory even for the report: the answer still goes out
        }
    }

    /**
     * Characters of v's JSON text (escapes aside), counting stopped soon after stopAbove: cheap even for a
     * gigantic value. Recursion is bounded by the parser's depth limit (values come from parsed JSON).
     */
    static long writtenSize(Json v, long stopAbove) {
        long n = 0;
        if (v instanceof Json.Obj o) {
            n = 2;
            for (Map.Entry<String, Json> m : o.members().entrySet()) {
                n += m.getKey().length() + 4 + writtenSize(m.getValue(), stopAbove - n);
                if (n > stopAbove) return n;
            }
        } else if (v instanceof Json.Arr a) {
            n = 2;
            for (Json item : a.items()) {
                n += 1 + writtenSize(item, stopAbove - n);
                if (n > stopAbove) return n;
            }
        } else if (v instanceof Json.Str s) {
            n = s.value().length() + 2;
        } else if (v instanceof Json.Num num) {
            n = num.text().length();
        } else {
            n = 5;
        }
        return n;
    }
}
