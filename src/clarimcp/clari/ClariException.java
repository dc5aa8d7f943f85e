package clarimcp.clari;

/**
 * A Clari call that failed, with a short actionable message that never holds the token or a raw
 * response body. status is the HTTP status, or 0 when no response arrived (timeout, refused).
 */
public final class ClariException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    public ClariException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
