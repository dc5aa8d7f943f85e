package clarimcp.mcp;

/**
 * A failure the model can act on (a bad argument, a Clari error, a timed-out job). The server
 * turns it into an isError tool result whose text is exactly {@link #getMessage()}, so the
 * message must be short, actionable and free of secrets.
 */
public final class ToolException extends Exception {
    private static final long serialVersionUID = 1L;

    public ToolException(String message) {
        super(message, null, false, false);
    }
}
