package clarimcp.tools;

/**
 * The tools' name for {@link clarimcp.clari.Sanitize}, the one sanitiser (kept so the tool files need no
 * edit while they are rewritten; to be replaced by the import).
 */
final class Sanitize {
    static final int MAX_CHARS = clarimcp.clari.Sanitize.MAX_CHARS;

    private Sanitize() {}

    static String text(String s) {
        return clarimcp.clari.Sanitize.text(s);
    }
}
