package clarimcp.json;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Strict RFC 8259 parser working directly on UTF-8 bytes. One mode, no options. Every error is a
 * {@link JsonException} naming the rule broken and the byte offset.
 *
 * <p>Decisions where RFC 8259 leaves a choice (each pinned by tests):
 * <ul>
 *   <li>Invalid UTF-8 anywhere is rejected (section 8.1): overlong forms, UTF-8-encoded surrogates,
 *       code points above U+10FFFF, truncated sequences, stray continuation bytes. The offset reported
 *       is that of the first byte of the bad sequence.
 *   <li>A leading UTF-8 byte order mark is rejected (section 8.1 says producers MUST NOT add one and
 *       parsers MAY ignore it): nobody we talk to may send one, so it signals a wrong encoding.
 *   <li>Duplicate object keys are rejected, compared exactly after unescaping (section 4 leaves this
 *       open): with last-wins, two readers of one message can disagree (Go MCP SDK issue #805).
 *   <li>{@code \\uXXXX} escapes of unpaired surrogates are accepted into the Java String as they are
 *       (section 8.2 calls such strings merely unpredictable); {@link JsonWriter} re-escapes them, so
 *       output is still valid UTF-8. Raw (non-escaped) surrogates are invalid UTF-8 and rejected.
 *   <li>Numbers keep their exact text in {@link Json.Num}; magnitude and precision are not limited
 *       here (section 9) because nothing is converted while parsing.
 *   <li>Limits (section 9): nesting deeper than {@link #MAX_DEPTH}, input above the byte cap.
 * </ul>
 */
public final class JsonParser {
    /** Deepest nesting of arrays and objects: far above real payloads, and it bounds the recursion. */
    public static final int MAX_DEPTH = 128;
    /** Default input cap: Clari exports reach tens of MB; above this we refuse rather than risk OOM. */
    public static final int DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

    private final byte[] in;
    private int pos;
    /** Reused for strings that contain escapes (the rare, slow path). */
    private final StringBuilder scratch = new StringBuilder();

    private JsonParser(byte[] in) {
        this.in = in;
    }

    /** Parses one JSON text of at most {@link #DEFAULT_MAX_BYTES} bytes. */
    public static Json parse(byte[] utf8) throws JsonException {
        return parse(utf8, DEFAULT_MAX_BYTES);
    }

    /** Parses one JSON text; input longer than maxBytes is rejected before any parsing. */
    public static Json parse(byte[] utf8, int maxBytes) throws JsonException {
        if (maxBytes < 0) throw new IllegalArgumentException("maxBytes < 0");
        if (utf8.length > maxBytes) throw new JsonException("Input too large", maxBytes);
        return new JsonParser(utf8).document();
    }

    /**
     * Parses text exactly as {@code parse(text.getBytes(UTF_8))} would, offsets included, except that an
     * unpaired surrogate char (which getBytes would silently turn into '?') is rejected.
     */
    public static Json parse(String text) throws JsonException {
        return parse(encode(text));
    }

    private static byte[] encode(String text) throws JsonException {
        int maxBytes = DEFAULT_MAX_BYTES;
        if (text.length() > maxBytes) throw new JsonException("Input too large", maxBytes);
        int size = 0; // at most 3 bytes per char of a text under 64 Mi chars: no int overflow
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isSurrogate(c)) {
                size += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                size += 4;
                i++;
            } else {
                throw new JsonException("Unpaired surrogate", size);
            }
        }
        if (size > maxBytes) throw new JsonException("Input too large", maxBytes);
        return text.getBytes(UTF_8);
    }

    private Json document() throws JsonException {
        if (in.length >= 3 && (in[0] & 0xFF) == 0xEF && (in[1] & 0xFF) == 0xBB && (in[2] & 0xFF) == 0xBF) {
            throw fail("Byte order mark");
        }
        skipWhitespace();
        Json value = value(0);
        skipWhitespace();
        if (pos < in.length) throw fail("Trailing data");
        return value;
    }

    /** depth: number of arrays/objects enclosing the value. */
    private Json value(int depth) throws JsonException {
        if (pos >= in.length) throw fail("Unexpected end of input");
        return switch (in[pos]) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> new Json.Str(string());
            case 't' -> literal("true", Json.Bool.TRUE);
            case 'f' -> literal("false", Json.Bool.FALSE);
            case 'n' -> literal("null", Json.Null.NULL);
            case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> number();
            default -> throw fail("Unexpected character");
        };
    }

    private Json array(int depth) throws JsonException {
        if (depth > MAX_DEPTH) throw fail("Nesting too deep");
        pos++; // '['
        skipWhitespace();
        if (consume(']')) return Json.Arr.EMPTY;
        List<Json> items = new ArrayList<>();
        while (true) {
            skipWhitespace();
            items.add(value(depth));
            skipWhitespace();
            if (consume(']')) return new Json.Arr(items);
            if (!consume(',')) throw unexpected("Expected ',' or ']'");
        }
    }

    private Json object(int depth) throws JsonException {
        if (depth > MAX_DEPTH) throw fail("Nesting too deep");
        pos++; // '{'
        skipWhitespace();
        if (consume('}')) return Json.Obj.EMPTY;
        LinkedHashMap<String, Json> members = new LinkedHashMap<>();
        while (true) {
            skipWhitespace();
            if (peek() != '"') throw unexpected("Expected string key");
            int keyStart = pos;
            String key = string();
            if (members.containsKey(key)) throw new JsonException("Duplicate key", keyStart);
            skipWhitespace();
            if (!consume(':')) throw unexpected("Expected ':'");
            skipWhitespace();
            members.put(key, value(depth));
            skipWhitespace();
            if (consume('}')) return new Json.Obj(members);
            if (!consume(',')) throw unexpected("Expected ',' or '}'");
        }
    }

    /** The string starting at pos (a '"'). Fast path: no escapes, one String built straight from the bytes. */
    private String string() throws JsonException {
        int start = ++pos;
        boolean ascii = true;
        while (true) {
            if (pos >= in.length) throw fail("Unexpected end of input");
            int b = in[pos];
            if (b == '"') {
                String s = new String(in, start, pos - start, ascii ? ISO_8859_1 : UTF_8);
                pos++;
                return s;
            }
            if (b == '\\') {
                scratch.setLength(0);
                scratch.append(new String(in, start, pos - start, ascii ? ISO_8859_1 : UTF_8));
                return escapedRest();
            }
            if (b < 0) {
                utf8(); // validated here, so the UTF_8 decoder above never meets (and replaces) bad bytes
                ascii = false;
            } else if (b < 0x20) {
                throw fail("Control character in string");
            } else {
                pos++;
            }
        }
    }

    /** The rest of a string that contains escapes, appended to scratch. */
    private String escapedRest() throws JsonException {
        while (true) {
            if (pos >= in.length) throw fail("Unexpected end of input");
            int b = in[pos];
            if (b == '"') {
                pos++;
                return scratch.toString();
            }
            if (b == '\\') {
                scratch.append(escape());
            } else if (b < 0) {
                scratch.appendCodePoint(utf8());
            } else if (b < 0x20) {
                throw fail("Control character in string");
            } else {
                scratch.append((char) b);
                pos++;
            }
        }
    }

    /** The escape at pos (a '\'); errors point at the backslash. */
    private char escape() throws JsonException {
        int at = pos;
        if (pos + 1 >= in.length) throw new JsonException("Unexpected end of input", in.length);
        byte e = in[pos + 1];
        if (e == 'u') {
            int code = 0;
            for (int i = pos + 2; i < pos + 6; i++) {
                if (i >= in.length) throw new JsonException("Unexpected end of input", in.length);
                int h = hexValue(in[i]);
                if (h < 0) throw new JsonException("Invalid escape", at);
                code = (code << 4) | h;
            }
            pos += 6;
            return (char) code; // a lone surrogate is kept as is (see class comment)
        }
        char c = switch (e) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '/' -> '/';
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            default -> throw new JsonException("Invalid escape", at);
        };
        pos += 2;
        return c;
    }

    /**
     * Validates the multi-byte UTF-8 sequence at pos (Unicode Table 3-7 "well-formed byte sequences"),
     * advances past it and returns its code point.
     */
    private int utf8() throws JsonException {
        int b0 = in[pos] & 0xFF;
        int extra = b0 >= 0xC2 && b0 <= 0xDF ? 1 : b0 >= 0xE0 && b0 <= 0xEF ? 2 : b0 >= 0xF0 && b0 <= 0xF4 ? 3 : 0;
        // extra 0: a continuation byte, C0/C1 (only ever overlong) or F5..FF (beyond U+10FFFF)
        if (extra == 0 || pos + extra >= in.length) throw fail("Invalid UTF-8");
        int cp = b0 & (0x3F >> extra);
        for (int i = 1; i <= extra; i++) {
            int b = in[pos + i] & 0xFF;
            if ((b & 0xC0) != 0x80) throw fail("Invalid UTF-8");
            cp = (cp << 6) | (b & 0x3F);
        }
        boolean overlong = extra == 2 ? cp < 0x800 : extra == 3 && cp < 0x10000;
        if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) throw fail("Invalid UTF-8");
        pos += extra + 1;
        return cp;
    }

    private Json number() throws JsonException {
        int end = scanNumber(in, pos);
        if (end < 0) throw new JsonException("Invalid number", ~end);
        Json.Num num = new Json.Num(new String(in, pos, end - pos, ISO_8859_1));
        pos = end;
        return num;
    }

    /**
     * End of the number starting at i (RFC 8259 section 6 grammar), or the bitwise complement of the
     * offset of the first byte breaking it. Does not look at what follows the number.
     */
    static int scanNumber(byte[] s, int i) {
        int n = s.length;
        if (i < n && s[i] == '-') i++;
        if (i >= n || !isDigit(s[i])) return ~i;
        if (s[i] == '0') {
            i++;
            if (i < n && isDigit(s[i])) return ~i; // leading zero
        } else {
            while (i < n && isDigit(s[i])) i++;
        }
        if (i < n && s[i] == '.') {
            i++;
            if (i >= n || !isDigit(s[i])) return ~i;
            while (i < n && isDigit(s[i])) i++;
        }
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
            i++;
            if (i < n && (s[i] == '+' || s[i] == '-')) i++;
            if (i >= n || !isDigit(s[i])) return ~i;
            while (i < n && isDigit(s[i])) i++;
        }
        return i;
    }

    /** True when text is exactly one JSON number; lets JsonWriter refuse a Json.Num holding anything else. */
    static boolean isNumber(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) return false;
        }
        byte[] ascii = text.getBytes(ISO_8859_1);
        return scanNumber(ascii, 0) == ascii.length;
    }

    private Json literal(String word, Json value) throws JsonException {
        int len = word.length();
        if (pos + len > in.length) throw fail("Invalid literal");
        for (int i = 0; i < len; i++) {
            if (in[pos + i] != word.charAt(i)) throw fail("Invalid literal");
        }
        pos += len;
        return value;
    }

    /** RFC 8259 section 2: only space, tab, LF and CR. */
    private void skipWhitespace() {
        while (pos < in.length) {
            byte b = in[pos];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') return;
            pos++;
        }
    }

    private int peek() {
        return pos < in.length ? in[pos] & 0xFF : -1;
    }

    /** Steps over c when it is next. */
    private boolean consume(char c) {
        if (peek() != c) return false;
        pos++;
        return true;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static int hexValue(byte b) {
        if (b >= '0' && b <= '9') return b - '0';
        int lower = b | 0x20;
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }

    private JsonException fail(String reason) {
        return new JsonException(reason, pos);
    }

    /** At end of input says so; otherwise what was expected at pos. */
    private JsonException unexpected(String expected) {
        return fail(pos >= in.length ? "Unexpected end of input" : expected);
    }
}
