package clarimcp.tools;

/**
 * Cleans text that came from Clari before it reaches the model. Names, messages and field values
 * are written by people in the customer's org, so they are untrusted: invisible characters could
 * hide instructions from a human reviewer (bidi overrides, zero-width and tag characters) and raw
 * line breaks could forge rows of our tables. Each string is also capped, so one huge value cannot
 * crowd out the rest of a result.
 */
final class Sanitize {
    /** Longest string kept from one Clari value; names and messages are far shorter. */
    static final int MAX_CHARS = 200;

    private Sanitize() {}

    /** The cleaned, trimmed, capped text; null stays null. */
    static String text(String s) {
        if (s == null) return null;
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_CHARS + 1));
        int i = 0;
        while (i < s.length() && out.length() <= MAX_CHARS) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (isLineBreakOrTab(cp)) {
                out.append(' ');
            } else if (!isHidden(cp)) {
                out.appendCodePoint(cp);
            }
        }
        String cleaned = out.toString().strip();
        if (cleaned.length() <= MAX_CHARS && i >= s.length()) return cleaned;
        int cut = Math.min(MAX_CHARS - 1, cleaned.length());
        if (cut > 0 && Character.isHighSurrogate(cleaned.charAt(cut - 1))) cut--; // never split a pair
        return cleaned.substring(0, cut).stripTrailing() + "…";
    }

    private static boolean isLineBreakOrTab(int cp) {
        return cp == '\n' || cp == '\r' || cp == '\t' || cp == 0x0B || cp == 0x0C
                || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
    }

    /**
     * Characters dropped outright: controls (Cc), format characters (Cf: zero-width U+200B-200F,
     * U+2060-2064, U+FEFF, bidi embeddings/overrides U+202A-202E and isolates U+2066-2069, the
     * Arabic letter mark U+061C, tag characters U+E0000-E007F), unpaired surrogates,
     * noncharacters, and variation selectors (U+FE00-FE0F, U+E0100-E01EF: invisible, and a run of
     * them can encode arbitrary bytes after an innocent character). The explicit ranges restate the
     * Cf ones so the intent survives Unicode updates.
     */
    private static boolean isHidden(int cp) {
        if (cp >= 0x200B && cp <= 0x200F) return true;
        if (cp >= 0x202A && cp <= 0x202E) return true;
        if (cp >= 0x2060 && cp <= 0x2069) return true;
        if (cp == 0xFEFF || cp == 0x061C || cp == 0x180E) return true;
        if (cp >= 0xE0000 && cp <= 0xE007F) return true;
        if ((cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF)) return true;
        if ((cp & 0xFFFE) == 0xFFFE || (cp >= 0xFDD0 && cp <= 0xFDEF)) return true;
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE;
    }
}
