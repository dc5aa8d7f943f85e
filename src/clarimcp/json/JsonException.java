package clarimcp.json;

/**
 * Input is not strict RFC 8259 JSON. The message is short and fixed ("Invalid escape at offset 12"):
 * it names the rule broken and the byte offset, never echoes input, so it is safe to log or return.
 */
public final class JsonException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int offset;

    /** reason: a fixed phrase such as "Invalid number"; offset: byte offset into the UTF-8 input. */
    public JsonException(String reason, int offset) {
        // No stack trace: a parse failure is an expected outcome on untrusted input, not a bug.
        super(reason + " at offset " + offset, null, false, false);
        this.offset = offset;
    }

    /** Byte offset into the UTF-8 input where the input stopped being valid. */
    public int offset() {
        return offset;
    }
}
