package clarimcp.mcp;

import clarimcp.json.Json;
import java.io.PrintStream;
import java.util.Map;
import java.util.Objects;

/**
 * One MCP tool: its whole contract (what tools/list shows) beside its handler, as data. The registry is a
 * literal list (tools.Tools): no reflection, no discovery. Here too: what a tool returns, what a running tool
 * may do, the failure a model can act on, and the one runner the server and the `call` command share.
 *
 * @param name matching ^[a-zA-Z0-9_-]{1,64}$ (what Claude Desktop accepts)
 * @param title for humans (sent only to clients whose protocol version has titles)
 * @param inputSchema the JSON Schema of the arguments (an object schema)
 * @param outputSchema the JSON Schema of structuredContent, or null when the tool declares none
 * @param annotations e.g. {"readOnlyHint":true}
 */
public record Tool(String name, String title, String description, Json.Obj inputSchema, Json.Obj outputSchema,
        Json.Obj annotations, Handler handler) {

    /**
     * Runs the tool. Bad arguments and failures the model can act on are thrown as {@link Failure} (they become
     * isError results); cancellation interrupts the thread.
     */
    @FunctionalInterface
    public interface Handler {
        Result call(Json.Obj arguments, Context context) throws Failure, InterruptedException;
    }

    /**
     * What a running tool may do besides returning: report progress (sent as notifications/progress only when
     * the request carried a progressToken) and log (sent as notifications/message at or above the client's
     * level). Cancellation interrupts the thread running the tool.
     */
    public interface Context {
        /** Reports progress; total may be null when unknown. No-op without a progressToken. */
        void progress(double progress, Double total, String message);

        /** Sends a log message to the client at the given RFC 5424 level name ("info", "warning"...). */
        void log(String level, String message);

        /**
         * Reports one HTTP exchange made for this call (pathTemplate like /export/jobs/{jobId}, no ids or
         * query; status 0 when no response arrived), for the call log. May be called from any thread.
         */
        default void httpExchange(String method, String pathTemplate, int status) {}
    }

    /**
     * A failure the model can act on (a bad argument, a Clari error, a timed-out job): an isError result whose
     * text is exactly the message, so the message must be short, actionable and free of secrets.
     */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        public Failure(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * What a tool returns: compact text for the model and, when the tool declares an output schema, the
     * matching structured content (sent only when the negotiated protocol version has it).
     */
    public record Result(String text, Json.Obj structured, boolean isError) {
        /**
         * Longest structuredContent, in characters as written: far above any real answer (the text is capped at
         * 40,000), yet a hostile Clari cannot make us send (and build) a line of hundreds of MB.
         */
        public static final int MAX_STRUCTURED_CHARS = 1_000_000;

        public Result {
            Objects.requireNonNull(text);
        }

        public static Result ok(String text, Json.Obj structured) {
            return new Result(text, structured, false);
        }

        public static Result error(String text) {
            return new Result(text, null, true);
        }
    }

    /**
     * The tools/list entry (MCP "Tool" type) for a protocol version: fields it does not define are left out
     * (title and outputSchema arrived in 2025-06-18, annotations in 2025-03-26).
     */
    public Json.Obj descriptor(ProtocolVersion version) {
        return Json.obj("name", name, "title", version.hasTitles() ? title : null, "description", description,
                "inputSchema", inputSchema, "outputSchema", version.hasStructuredContent() ? outputSchema : null,
                "annotations", version.hasToolAnnotations() ? annotations : null);
    }

    /**
     * The one tool runner (the server and the `call` command): the tool's result within {@link
     * Result#MAX_STRUCTURED_CHARS}; a Failure, or an Error such as OutOfMemoryError or StackOverflowError, as an
     * isError result, so no call goes unanswered and the server goes on. Null for a bug (a RuntimeException),
     * reported on diagnostics only. Interruption (cancellation) propagates.
     */
    public Result run(Json.Obj arguments, Context context, PrintStream diagnostics) throws InterruptedException {
        try {
            Result r = handler.call(arguments, context);
            if (r.structured() != null && writtenSize(r.structured(), Result.MAX_STRUCTURED_CHARS) > Result.MAX_STRUCTURED_CHARS) {
                return Result.error("answer too large: its structured part is over " + Result.MAX_STRUCTURED_CHARS
                        + " characters; narrow the request (a shorter period, fewer ids, a lower limit)");
            }
            return r;
        } catch (Failure e) {
            return Result.error(e.getMessage());
        } catch (OutOfMemoryError e) {
            report(diagnostics, e); // the call's data is unreachable once we are here: the heap is free again
            return Result.error("answer too large for this server's memory; narrow the request (a shorter period, fewer "
                    + "ids, a lower limit)");
        } catch (RuntimeException e) {
            report(diagnostics, e);
            return null;
        } catch (Error e) { // StackOverflowError, InternalError...: this call failed, the server need not
            report(diagnostics, e);
            return Result.error("internal error in " + name + " (" + e.getClass().getSimpleName()
                    + "); the details are in the server's log (stderr)");
        }
    }

    private void report(PrintStream diagnostics, Throwable e) {
        try {
            diagnostics.println("clari-revops-mcp: internal error in tool " + name + ": " + e);
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
