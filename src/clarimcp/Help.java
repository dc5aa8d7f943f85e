package clarimcp;

/**
 * The leaf every CLI file reads: the name, version and exit codes, the JVM switches that must never be on,
 * and the --help text (every option and environment variable, one line each).
 */
final class Help {
    static final String NAME = "clari-revops-mcp";
    static final String VERSION = "0.1.0";

    /** Process exit codes. */
    static final int EXIT_OK = 0;
    /** A failed check, a tool error in `call`, or unreadable stdin. */
    static final int EXIT_FAILURE = 1;
    /** A bad command line. */
    static final int EXIT_USAGE = 2;

    /**
     * JVM debug switches that would print the apikey header (the token) on stderr, where MCP clients keep logs.
     * They arrive through JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS or _JAVA_OPTIONS, which we otherwise honour (trust
     * stores, proxies); Main clears them before the HTTP client or TLS reads them (both read them once, on first use).
     */
    static final String[] TOKEN_PRINTING_PROPERTIES = {"jdk.httpclient.HttpClient.log", "jdk.internal.httpclient.debug",
        "jdk.internal.httpclient.hpack.debug", "javax.net.debug"};

    private Help() {}

    static String text() {
        return """
                %1$s: a read-only MCP server for Clari (JSON-RPC over stdin/stdout)

                usage: %1$s                      serve MCP on stdin/stdout (what an MCP client runs)
                       %1$s call TOOL ['JSON']   run one tool, print its text; exit 0, or 1 on a tool error
                       %1$s --dry-run [call ...] tools answer with the HTTP requests they would send; nothing is sent
                       %1$s --check              check the configuration against Clari, one line per check; exit 1 on a failure
                       %1$s --version            print the version
                       %1$s --help               print this help

                environment:
                  CLARI_API_TOKEN              Clari API token (Clari: Account Settings > API Token); this or the next is required
                  CLARI_API_TOKEN_FILE         absolute path of a file holding the token, re-read when it changes and after a 401
                  CLARI_BASE_URL               API base URL; default https://api.clari.com/v4 (http only for loopback)
                  CLARI_FORECAST_ID            default forecast tab id for get_forecast (the id in the Clari URL, e.g. net_arr)
                  CLARI_POLL_MAX_ATTEMPTS      checks one get_forecast makes while waiting for a slot and its job (1-1000); default 12
                  CLARI_POLL_INTERVAL_SECONDS  longest wait between those checks (0 < s <= 300); default 5
                  CLARI_CACHE_SECONDS          an identical get_forecast within this is answered from memory (0-86400, 0 = off); default 300
                  CLARI_MAX_EXPORTS_PER_HOUR   export jobs get_forecast may start in any hour (0-10000); default 30
                  CLARI_PIPELINE_EVENTS        comma-separated audit event names get_pipeline_changes shows; default all but api.accessed
                  CLARI_CALL_TIMEOUT_SECONDS   wall-clock limit of one tool call, retries and paging included (0 < s <= 900); default 300
                  CLARI_CALL_MAX_MB            MB one tool call may read from Clari, all answers together (1-64); default 64
                  CLARI_LOG_FILE               append the call log (JSON lines) to this file, created rw-------; default stderr
                  HTTPS_PROXY, https_proxy     http://[user:password@]host:port of the proxy for https to Clari
                  NO_PROXY, no_proxy           hosts that bypass the proxy: comma-separated, * for all, a.com also covers *.a.com
                  CLARI_CA_BUNDLE              absolute path of a PEM file of CA certificates added to the default trust
                  CLARI_DRY_RUN                1: the same as --dry-run
                  CLARI_LOG_LEVEL              debug (adds one line per HTTP request), info (one per tool call; default), warning, error
                """.formatted(NAME);
    }
}
