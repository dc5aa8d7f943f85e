package clarimcp.jsonrpc;

/** Makes client-supplied names safe to quote back in an error message: printable ASCII, short. */
public final class Ascii {
    /** Long enough for any real method or tool name, short enough to keep errors one glance long. */
    private static final int MAX_QUOTED = 64;

    private Ascii() {}

    public static String clip(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_QUOTED) + 3);
        for (int i = 0; i < s.length() && b.length() < MAX_QUOTED; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return s.length() > MAX_QUOTED ? b.append("...").toString() : b.toString();
    }
}
