package clarimcp.clari;

import clarimcp.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one sanitiser for everything Clari sends (error messages, names, values), here so both the client
 * (errors) and the tools (results) use it. Those texts are written by people in the customer's org or by
 * whatever answers at CLARI_BASE_URL, so they are untrusted: invisible characters could hide instructions
 * from a human reviewer (bidi overrides, zero-width, tags; a run of variation selectors or fillers can
 * encode arbitrary bytes after an innocent character) and line breaks could forge rows of our tables.
 * Whitespace runs become one space; each string is capped, so one huge value cannot crowd out the rest.
 */
public final class Sanitize {
    /** Longest string kept from one Clari value; names and messages are far shorter. */
    public static final int MAX_CHARS = 200;

    private Sanitize() {}

    /** The cleaned, trimmed text capped at {@link #MAX_CHARS}; null stays null. */
    public static String text(String s) {
        return text(s, MAX_CHARS, null);
    }

    /**
     * The cleaned, trimmed text, at most max characters (an ellipsis included when cut, never splitting a
     * surrogate pair), with the token masked AFTER cleaning (a token split by a zero-width character must not
     * come back whole) and BEFORE capping (a cut must not leave part of it). null stays null; token may be null.
     */
    public static String text(String s, int max, Secret token) {
        if (s == null) return null;
        String t = token == null ? null : token.reveal();
        long enough = (long) max + (t == null ? 0 : t.length()) + 1; // past this, the rest cannot matter
        StringBuilder out = new StringBuilder((int) Math.min(s.length(), enough));
        boolean space = false;
        int i = 0;
        while (i < s.length() && out.length() <= enough) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85) {
                space = out.length() > 0;
            } else if (!isHidden(cp)) {
                if (space) out.append(' ');
                space = false;
                out.appendCodePoint(cp);
            }
        }
        String clean = out.toString();
        if (t != null && !t.isEmpty()) clean = clean.replace(t, Secret.MASK);
        if (clean.length() <= max && i >= s.length()) return clean;
        int cut = Math.min(max - 1, clean.length());
        if (cut > 0 && Character.isHighSurrogate(clean.charAt(cut - 1))) cut--;
        return clean.substring(0, cut).stripTrailing() + "…";
    }

    /**
     * Dropped outright: every Default_Ignorable_Code_Point (Unicode DerivedCoreProperties: soft hyphen, CGJ,
     * Arabic letter mark, Hangul fillers U+115F U+1160 U+3164 U+FFA0, Khmer inherent vowels, Mongolian variation
     * selectors U+180B-180F, zero-width and bidi controls, U+2060-206F, variation selectors, BOM, U+FFF0-FFF8,
     * shorthand format controls, musical formatting, all of plane 14's tags and selectors), controls (Cc),
     * format (Cf), unassigned (Cn), private use (Co), surrogates (Cs) and noncharacters. The ranges are listed,
     * not only the categories, because fillers are letters (Lo) and Java's tables lag behind Unicode.
     */
    public static boolean isHidden(int cp) {
        if (cp == 0x00AD || cp == 0x034F || cp == 0x061C || cp == 0x115F || cp == 0x1160 || cp == 0x17B4 || cp == 0x17B5
                || cp == 0x3164 || cp == 0xFEFF || cp == 0xFFA0) return true;
        if ((cp >= 0x180B && cp <= 0x180F) || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E)
                || (cp >= 0x2060 && cp <= 0x206F) || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xFFF0 && cp <= 0xFFF8)
                || (cp >= 0x1BCA0 && cp <= 0x1BCA3) || (cp >= 0x1D173 && cp <= 0x1D17A) || (cp >= 0xE0000 && cp <= 0xE0FFF)) {
            return true;
        }
        if ((cp & 0xFFFE) == 0xFFFE || (cp >= 0xFDD0 && cp <= 0xFDEF)) return true;
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                || type == Character.UNASSIGNED || type == Character.PRIVATE_USE;
    }

    /**
     * v with every string (values and keys) that holds the token once cleaned replaced by its cleaned, masked
     * text: for success bodies, which tools clean later (by then a split token would be whole again). Strings
     * without it stay as sent, and so do unchanged subtrees. Recursion is bounded by the parser's depth limit.
     */
    static Json masked(Json v, Secret token) {
        String t = token.reveal();
        if (v instanceof Json.Str s) return holds(s.value(), t) ? new Json.Str(text(s.value(), Integer.MAX_VALUE - 1, token)) : v;
        if (v instanceof Json.Arr a) {
            List<Json> items = null;
            for (int k = 0; k < a.items().size(); k++) {
                Json item = a.items().get(k);
                Json m = masked(item, token);
                if (m != item && items == null) items = new ArrayList<>(a.items());
                if (items != null) items.set(k, m);
            }
            return items == null ? v : new Json.Arr(items);
        }
        if (v instanceof Json.Obj o) {
            Map<String, Json> members = null; // made on the first change: most objects hold no token
            for (Map.Entry<String, Json> e : o.members().entrySet()) {
                String key = holds(e.getKey(), t) ? text(e.getKey(), Integer.MAX_VALUE - 1, token) : e.getKey();
                Json m = masked(e.getValue(), token);
                if (members == null && (m != e.getValue() || !key.equals(e.getKey()))) {
                    members = new LinkedHashMap<>();
                    for (Map.Entry<String, Json> before : o.members().entrySet()) {
                        if (before.getKey().equals(e.getKey())) break; // keys of a map are unique
                        members.put(before.getKey(), before.getValue());
                    }
                }
                if (members != null) members.putIfAbsent(key, m);
            }
            return members == null ? v : new Json.Obj(members);
        }
        return v;
    }

    /** Whether s, cleaned, contains t: cheap for the common string with no hidden characters. */
    private static boolean holds(String s, String t) {
        if (t.isEmpty() || s.length() < t.length()) return false;
        if (s.contains(t)) return true;
        StringBuilder visible = null; // made at the first hidden character: most strings have none, and are not copied
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            boolean hidden = (cp < 0x20 || cp >= 0x7F) && isHidden(cp); // printable ASCII (most text) is never hidden
            if (hidden && visible == null) visible = new StringBuilder(s.length()).append(s, 0, i);
            if (!hidden && visible != null) visible.appendCodePoint(cp);
            i += Character.charCount(cp);
        }
        return visible != null && visible.indexOf(t) >= 0;
    }
}
