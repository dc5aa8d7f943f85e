package clarimcp.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The only producer of JSON text: compact (no whitespace), one line. Escapes '"', '\', every control
 * character U+0000..U+001F, U+2028/U+2029 (line separators to JavaScript and some line readers) and
 * unpaired surrogates, so the output never holds a raw CR or LF (line framing is correct by
 * construction) and always encodes to valid UTF-8. Other characters are written as they are.
 *
 * <p>Recursion follows the value's nesting; parsed values are bounded by {@link JsonParser#MAX_DEPTH}
 * and values built in code are shallow.
 */
public final class JsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonWriter() {}

    /** Compact JSON text of value. */
    public static String write(Json value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    /** Appends the compact JSON text of value to out. */
    public static void write(Json value, StringBuilder out) {
        append(value, out, false);
    }

    /**
     * Like {@link #write(Json)} but object keys sorted by UTF-16 code unit order ({@link String#compareTo}),
     * so equal values give equal text (for hashing arguments).
     */
    public static String writeCanonical(Json value) {
        StringBuilder out = new StringBuilder();
        append(value, out, true);
        return out.toString();
    }

    // instanceof, not a pattern switch: a switch over types bootstraps a class at first use (SwitchBootstraps)
    // that the start-up cache does not keep (generated at run time, ~1 ms in a class-init log), and this writes the initialize reply.
    private static void append(Json value, StringBuilder out, boolean sortKeys) {
        if (value instanceof Json.Obj o) {
            object(o.members(), out, sortKeys);
        } else if (value instanceof Json.Arr a) {
            out.append('[');
            List<Json> items = a.items();
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) out.append(',');
                append(items.get(i), out, sortKeys);
            }
            out.append(']');
        } else if (value instanceof Json.Str s) {
            string(s.value(), out);
        } else if (value instanceof Json.Num n) {
            // Num accepts any text; refusing non-numbers here keeps a bad Num from injecting JSON.
            if (!JsonParser.isNumber(n.text())) throw new IllegalArgumentException("Json.Num is not a JSON number");
            out.append(n.text());
        } else if (value instanceof Json.Bool b) {
            out.append(b.value());
        } else {
            Objects.requireNonNull((Json.Null) value);   // the sealed Json's last case
            out.append("null");
        }
    }

    private static void object(Map<String, Json> members, StringBuilder out, boolean sortKeys) {
        Iterable<String> keys = members.keySet();
        if (sortKeys) {
            List<String> sorted = new ArrayList<>(members.keySet());
            sorted.sort(null); // String natural order = UTF-16 code unit order
            keys = sorted;
        }
        out.append('{');
        boolean first = true;
        for (String key : keys) {
            if (!first) out.append(',');
            first = false;
            string(key, out);
            out.append(':');
            append(members.get(key), out, sortKeys);
        }
        out.append('}');
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        int from = 0; // start of the pending run of characters written as they are
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean plain = c >= 0x20 && c != '"' && c != '\\' && c != '\u2028' && c != '\u2029'
                    && !Character.isSurrogate(c);
            if (plain) continue;
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++; // a proper pair is one supplementary character
                continue;
            }
            out.append(s, from, i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> out.append("\\u")
                        .append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
                        .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
            }
            from = i + 1;
        }
        out.append(s, from, s.length()).append('"');
    }
}
