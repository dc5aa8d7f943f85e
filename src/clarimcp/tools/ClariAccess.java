package clarimcp.tools;

import clarimcp.mcp.Tool;
import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariConfig;

/**
 * How tools reach Clari. Main supplies it lazily, so nothing touches the network, TLS or the
 * token before the first tool call, and a bad configuration (say, a missing token) becomes an
 * isError result on every call instead of stopping the server before it can explain itself.
 */
public interface ClariAccess {
    /** The validated configuration, or a Tool.Failure saying what to fix. */
    ClariConfig config() throws Tool.Failure;

    /** The shared client, or a Tool.Failure saying what to fix. */
    ClariClient client() throws Tool.Failure;

    /**
     * A setting Clari rejected (e.g. CLARI_FORECAST_ID unknown to Clari), for the operator: the server
     * reports each distinct message once on stderr. The tool still returns it as its error.
     */
    default void reportConfigProblem(String message) {}

    /**
     * The shared client as one tool call sees it: reporting its HTTP exchanges to ctx (for the call log),
     * every request of the call within one time and bytes budget (see ClariClient.forCall).
     */
    default ClariClient client(Tool.Context ctx) throws Tool.Failure {
        return client().forCall(ctx::httpExchange);
    }
}
