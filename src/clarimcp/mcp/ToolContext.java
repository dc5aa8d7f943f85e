package clarimcp.mcp;

/**
 * What a running tool may do besides returning: report progress (sent as
 * notifications/progress only when the request carried a progressToken) and log (sent as
 * notifications/message when at or above the client's level). Cancellation interrupts the
 * thread running the tool.
 */
public interface ToolContext {
    /** Reports progress; total may be null when unknown. No-op without a progressToken. */
    void progress(double progress, Double total, String message);

    /** Sends a log message to the client at the given RFC 5424 level name ("info", "warning"...). */
    void log(String level, String message);

    /**
     * Reports one HTTP exchange made for this call (pathTemplate like /export/jobs/{jobId}, no ids or
     * query; status 0 when no response arrived), for the call log. May be called from any thread.
     */
    default void httpExchange(String method, String pathTemplate, int status) {}

    /** A context that drops progress and log messages (for the CLI and tests). */
    ToolContext NONE = new ToolContext() {
        @Override
        public void progress(double progress, Double total, String message) {}

        @Override
        public void log(String level, String message) {}
    };
}
