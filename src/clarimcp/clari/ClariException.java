package clarimcp.clari;

/**
 * A Clari call that failed, with a short actionable message that never holds the token or a raw
 * response body. status is the HTTP status, or 0 when no response arrived (timeout, refused); code is
 * the {@code code} of Clari's error body (e.g. no_optin, type_not_supported), or null.
 */
public final class ClariException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    public ClariException(int status, String message) {
        this(status, null, message);
    }

    public ClariException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    /** Clari's error code, e.g. "no_optin"; null when the body had none. */
    public String code() {
        return code;
    }
}
