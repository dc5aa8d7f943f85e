package clarimcp.json;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.RandomAccess;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Strict RFC 8259 parser working directly on UTF-8 bytes. One grammar, no options; two ways to get the
 * result: the whole tree ({@link #parse(byte[])}), or with chosen top-level arrays handed out element by
 * element ({@link #parseStreaming(InputStream, int, Map)}), so an export of tens of MB is never a tree.
 * Every error is a {@link JsonException} naming the rule broken and the byte offset, the same either way.
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
    /**
     * First window on a streamed input: a few entries. It grows to hold one larger element, or the
     * members that are not streamed (the small lists), up to the byte cap at worst as parse does.
     */
    private static final int STREAM_WINDOW = 64 * 1024;
    /** Slots of the string cache: more than the distinct keys and ids of an export, small enough to stay cheap. */
    private static final int CACHE_SLOTS = 4096;
    /** Input bytes per cache slot below CACHE_SLOTS: a small message (most are) gets a small cache. */
    private static final int BYTES_PER_SLOT = 64;
    /** Longest string the cache holds: keys, ids, codes; longer strings rarely repeat. */
    private static final int CACHE_MAX_LENGTH = 48;
    /** Largest first capacity of an object: one huge object must not make every later small one costly. */
    private static final int MAX_SIZE_HINT = 32;
    /** Largest byte[] a JVM allocates. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * The input: all of it (byte[] mode), or a window of a stream holding bytes base .. base+limit of the
     * whole input. The window only moves (drops consumed bytes) between elements of a streamed array, so an
     * index into it held while reading one token stays valid when more bytes are read.
     */
    private byte[] in;
    private int pos;
    private int limit;
    private int base;
    private final InputStream source;
    private final int maxBytes;
    /** Top-level arrays handed out element by element (stream mode), or empty. */
    private final Map<String, ? extends Consumer<? super Json>> handlers;
    /** Reused for strings that contain escapes (the rare, slow path). */
    private final StringBuilder scratch = new StringBuilder();
    /**
     * Short ASCII strings seen in this input, by hash of their bytes, with their Json.Str: an export repeats
     * the same keys and ids in every entry, and one shared String per distinct text keeps its tree small.
     */
    private final byte[][] cachedBytes;
    private final String[] cachedStrings;
    private final Json.Str[] cachedValues;
    /** Member count of the last object closed at each depth: the next one's first capacity. */
    private final int[] sizeHints = new int[MAX_DEPTH + 1];
    /** Cache slot of the string string() returned last, or -1 when it was not cached. */
    private int lastSlot;

    private JsonParser(byte[] in, int limit, InputStream source, int maxBytes,
            Map<String, ? extends Consumer<? super Json>> handlers) {
        this.in = in;
        this.limit = limit;
        this.source = source;
        this.maxBytes = maxBytes;
        this.handlers = handlers;
        int slots = source != null ? CACHE_SLOTS : Integer.highestOneBit(Math.clamp(limit / BYTES_PER_SLOT, 16, CACHE_SLOTS));
        cachedBytes = new byte[slots][];
        cachedStrings = new String[slots];
        cachedValues = new Json.Str[slots];
    }

    /** Parses one JSON text of at most {@link #DEFAULT_MAX_BYTES} bytes. */
    public static Json parse(byte[] utf8) throws JsonException {
        return parse(utf8, DEFAULT_MAX_BYTES);
    }

    /** Parses one JSON text; input longer than maxBytes is rejected before any parsing. */
    public static Json parse(byte[] utf8, int maxBytes) throws JsonException {
        return parseStreaming(utf8, maxBytes, Map.of());
    }

    /**
     * Parses one JSON text like {@link #parse(byte[], int)}, except that each element of a top-level array
     * named in handlers (e.g. "entries") goes to its handler as soon as it is parsed, and is not kept: the
     * result is the document without those members. Same grammar, limits, errors and offsets as parse; a
     * handler's exception propagates. A JsonException can come after elements were handed out: the caller
     * must then discard what it built from them. A top-level value that is not an object streams nothing.
     */
    public static Json parseStreaming(byte[] utf8, int maxBytes, Map<String, ? extends Consumer<? super Json>> handlers)
            throws JsonException {
        if (maxBytes < 0) throw new IllegalArgumentException("maxBytes < 0");
        if (utf8.length > maxBytes) throw new JsonException("Input too large", maxBytes);
        return new JsonParser(utf8, utf8.length, null, maxBytes, handlers).document();
    }

    /**
     * {@link #parseStreaming(byte[], int, Map)} reading the JSON text from source (e.g. an HTTP body) as it
     * goes, so neither the body nor the streamed arrays are ever held whole. Input over maxBytes is refused
     * with the same "Input too large" as parse, however early an error in its first maxBytes would be. Does
     * not close source; its read failures propagate as they are.
     */
    public static Json parseStreaming(InputStream source, int maxBytes,
            Map<String, ? extends Consumer<? super Json>> handlers) throws JsonException, IOException {
        if (maxBytes < 0) throw new IllegalArgumentException("maxBytes < 0");
        JsonParser parser = new JsonParser(new byte[STREAM_WINDOW], 0, source, maxBytes, handlers);
        try {
            return parser.document();
        } catch (JsonException e) {
            try {
                parser.drain(); // a text over the cap is refused as too large whatever else is wrong with it
            } catch (ReadFailure f) {
                throw f.getCause();
            }
            throw e;
        } catch (ReadFailure e) {
            throw e.getCause();
        }
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

    /**
     * Reads more of the stream into the window (growing it when full); false at the end of the input.
     * Byte[] mode has nothing more to read.
     */
    private boolean fill() throws JsonException {
        if (source == null) return false;
        if (limit == in.length) in = Arrays.copyOf(in, (int) Math.min(Math.min(2L * in.length, maxBytes + 1L), MAX_ARRAY));
        int n;
        try {
            n = source.read(in, limit, in.length - limit);
        } catch (IOException e) {
            throw new ReadFailure(e);
        }
        if (n < 0) return false;
        limit += n;
        if ((long) base + limit > maxBytes) throw new JsonException("Input too large", maxBytes);
        return true;
    }

    /** Makes at least n bytes available from pos, unless the input ends first. */
    private void ensure(int n) throws JsonException {
        while (limit - pos < n && fill()) {
            // reading
        }
    }

    /** Drops the consumed bytes of a stream's window: only between streamed elements (see in). */
    private void release() {
        if (source == null || pos < in.length / 2) return;
        System.arraycopy(in, pos, in, 0, limit - pos);
        base += pos;
        limit -= pos;
        pos = 0;
    }

    /** After an error in a stream: reads on to the cap, so a text over it is refused as too large. */
    private void drain() throws JsonException {
        pos = limit;
        while (true) {
            release();
            if (!fill()) return;
            pos = limit;
        }
    }

    /** An IOException of the source, carried through the parsing methods to parseStreaming. */
    private static final class ReadFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReadFailure(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    private Json document() throws JsonException {
        ensure(3);
        if (limit >= 3 && (in[0] & 0xFF) == 0xEF && (in[1] & 0xFF) == 0xBB && (in[2] & 0xFF) == 0xBF) {
            throw fail("Byte order mark");
        }
        skipWhitespace();
        Json value = value(0);
        skipWhitespace();
        if (pos < limit || fill()) throw fail("Trailing data");
        return value;
    }

    /** depth: number of arrays/objects enclosing the value. */
    private Json value(int depth) throws JsonException {
        if (pos >= limit && !fill()) throw fail("Unexpected end of input");
        return switch (in[pos]) {
            case '"' -> stringValue();
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1, null);
            case 't' -> literal("true", Json.Bool.TRUE);
            case 'f' -> literal("false", Json.Bool.FALSE);
            case 'n' -> literal("null", Json.Null.NULL);
            case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> number();
            default -> throw fail("Unexpected character");
        };
    }

    /** The array at pos; with a handler its elements go there one by one and the result is null. */
    private Json array(int depth, Consumer<? super Json> handler) throws JsonException {
        if (depth > MAX_DEPTH) throw fail("Nesting too deep");
        pos++; // '['
        skipWhitespace();
        if (consume(']')) return handler == null ? Json.Arr.EMPTY : null;
        Json[] items = handler == null ? new Json[8] : null;
        int n = 0;
        while (true) {
            skipWhitespace();
            Json item = value(depth);
            if (handler != null) {
                handler.accept(item);
                release();
            } else {
                if (n == items.length) items = Arrays.copyOf(items, 2 * n);
                items[n++] = item;
            }
            skipWhitespace();
            if (consume(']')) return handler == null ? new Json.Arr(new Items(Arrays.copyOf(items, n))) : null;
            if (!consume(',')) throw unexpected("Expected ',' or ']'");
        }
    }

    private Json object(int depth) throws JsonException {
        if (depth > MAX_DEPTH) throw fail("Nesting too deep");
        pos++; // '{'
        skipWhitespace();
        if (consume('}')) return Json.Obj.EMPTY;
        int capacity = sizeHints[depth]; // objects at one depth tend to look alike: usually no copy at the end
        String[] keys = new String[capacity];
        Json[] values = new Json[capacity];
        HashSet<String> many = null; // the keys, once a linear duplicate search would cost too much
        int n = 0;
        while (true) {
            skipWhitespace();
            if (peek() != '"') throw unexpected("Expected string key");
            int keyStart = pos;
            String key = string();
            if (n < LINEAR_MAX) {
                int hash = key.hashCode(); // cached in the String: cheaper than equals on a miss
                for (int i = 0; i < n; i++) {
                    if (keys[i].hashCode() == hash && keys[i].equals(key)) throw new JsonException("Duplicate key", base + keyStart);
                }
            } else {
                if (many == null) many = new HashSet<>(Arrays.asList(keys).subList(0, n));
                if (!many.add(key)) throw new JsonException("Duplicate key", base + keyStart);
            }
            skipWhitespace();
            if (!consume(':')) throw unexpected("Expected ':'");
            skipWhitespace();
            Consumer<? super Json> handler = depth == 1 ? handlers.get(key) : null;
            Json value = handler != null && peek() == '[' ? array(depth + 1, handler) : value(depth);
            if (n == keys.length) {
                keys = Arrays.copyOf(keys, Math.max(4, 2 * n));
                values = Arrays.copyOf(values, Math.max(4, 2 * n));
            }
            keys[n] = key;
            values[n++] = value; // null: a streamed array, dropped below
            skipWhitespace();
            if (consume('}')) {
                sizeHints[depth] = Math.min(n, MAX_SIZE_HINT);
                return members(keys, values, n);
            }
            if (!consume(',')) throw unexpected("Expected ',' or '}'");
        }
    }

    /** The object of the first n members, leaving out streamed arrays (null values). */
    private static Json.Obj members(String[] keys, Json[] values, int n) {
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (values[i] != null) {
                keys[kept] = keys[i];
                values[kept++] = values[i];
            }
        }
        if (kept < keys.length) {
            keys = Arrays.copyOf(keys, kept);
            values = Arrays.copyOf(values, kept);
        }
        return new Json.Obj(new Members(keys, values));
    }

    /** A string value: the cached Json.Str when the same text was seen before. */
    private Json stringValue() throws JsonException {
        String s = string();
        int slot = lastSlot;
        if (slot < 0) return new Json.Str(s);
        Json.Str cached = cachedValues[slot];
        if (cached == null || cached.value() != s) cachedValues[slot] = cached = new Json.Str(s);
        return cached;
    }

    /**
     * The string starting at pos (a '"'). Fast path: printable ASCII without escapes, scanned with locals
     * (the image's C1 compiler keeps fields in memory) and hashed for the cache; other strings go byte by byte.
     */
    private String string() throws JsonException {
        int start = ++pos;
        int hash = 0;
        lastSlot = -1;
        while (true) {
            byte[] buf = in;
            int i = pos;
            int end = limit;
            int b = 0;
            while (i < end && (b = buf[i]) >= 0x20 && b != '"' && b != '\\') {
                hash = 31 * hash + b;
                i++;
            }
            pos = i;
            if (i < end) break;
            if (!fill()) throw fail("Unexpected end of input");
        }
        int b = in[pos];
        if (b == '"') {
            String s = cached(start, pos - start, hash);
            pos++;
            return s;
        }
        if (b >= 0 && b < 0x20) throw fail("Control character in string");
        boolean ascii = true;
        while (true) { // non-ASCII or an escape met: the careful path
            if (pos >= limit && !fill()) throw fail("Unexpected end of input");
            b = in[pos];
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

    /** The ASCII string of in[start .. start+length), shared with its earlier occurrences when short. */
    private String cached(int start, int length, int hash) {
        if (length > CACHE_MAX_LENGTH) return new String(in, start, length, ISO_8859_1);
        int slot = (hash ^ (hash >>> 16)) & (cachedBytes.length - 1);
        byte[] known = cachedBytes[slot];
        if (!sameBytes(known, start, length)) {
            cachedBytes[slot] = known = Arrays.copyOfRange(in, start, start + length);
            cachedStrings[slot] = new String(known, ISO_8859_1);
            cachedValues[slot] = null;
        }
        lastSlot = slot;
        return cachedStrings[slot];
    }

    /** True when known holds exactly in[start .. start+length); a plain loop: these are short. */
    private boolean sameBytes(byte[] known, int start, int length) {
        if (known == null || known.length != length) return false;
        byte[] buf = in;
        for (int i = 0; i < length; i++) {
            if (known[i] != buf[start + i]) return false;
        }
        return true;
    }

    /** The rest of a string that contains escapes, appended to scratch. */
    private String escapedRest() throws JsonException {
        while (true) {
            if (pos >= limit && !fill()) throw fail("Unexpected end of input");
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
        int at = base + pos;
        ensure(6);
        if (pos + 1 >= limit) throw new JsonException("Unexpected end of input", base + limit);
        byte e = in[pos + 1];
        if (e == 'u') {
            int code = 0;
            for (int i = pos + 2; i < pos + 6; i++) {
                if (i >= limit) throw new JsonException("Unexpected end of input", base + limit);
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
        ensure(4);
        int b0 = in[pos] & 0xFF;
        int extra = b0 >= 0xC2 && b0 <= 0xDF ? 1 : b0 >= 0xE0 && b0 <= 0xEF ? 2 : b0 >= 0xF0 && b0 <= 0xF4 ? 3 : 0;
        // extra 0: a continuation byte, C0/C1 (only ever overlong) or F5..FF (beyond U+10FFFF)
        if (extra == 0 || pos + extra >= limit) throw fail("Invalid UTF-8");
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
        int end;
        while (true) { // a number ending at the window's end may go on in the bytes not read yet
            end = scanNumber(in, pos, limit);
            if ((end < 0 ? ~end : end) < limit || !fill()) break;
        }
        if (end < 0) throw new JsonException("Invalid number", base + ~end);
        Json.Num num = new Json.Num(new String(in, pos, end - pos, ISO_8859_1));
        pos = end;
        return num;
    }

    /**
     * End of the number starting at i in s[.. n) (RFC 8259 section 6 grammar), or the bitwise complement of
     * the offset of the first byte breaking it. Does not look at what follows the number.
     */
    static int scanNumber(byte[] s, int i, int n) {
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
        return scanNumber(ascii, 0, ascii.length) == ascii.length;
    }

    private Json literal(String word, Json value) throws JsonException {
        int len = word.length();
        ensure(len);
        if (pos + len > limit) throw fail("Invalid literal");
        for (int i = 0; i < len; i++) {
            if (in[pos + i] != word.charAt(i)) throw fail("Invalid literal");
        }
        pos += len;
        return value;
    }

    /** RFC 8259 section 2: only space, tab, LF and CR. */
    private void skipWhitespace() throws JsonException {
        if (pos < limit && in[pos] > ' ') return; // small enough for C1 to inline: the usual case, no whitespace
        skipSomeWhitespace();
    }

    private void skipSomeWhitespace() throws JsonException {
        while (pos < limit || fill()) {
            byte b = in[pos];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') return;
            pos++;
        }
    }

    private int peek() throws JsonException {
        return pos < limit ? in[pos] & 0xFF : fill() ? in[pos] & 0xFF : -1;
    }

    /** Steps over c when it is next. */
    private boolean consume(char c) throws JsonException {
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
        return new JsonException(reason, base + pos);
    }

    /** At end of input says so; otherwise what was expected at pos. */
    private JsonException unexpected(String expected) {
        return fail(pos >= limit ? "Unexpected end of input" : expected);
    }

    // The immutable, array-backed members and items JsonParser hands to Json.Obj and Json.Arr, which keep them
    // without the defensive copy they make of any other map or list. Why: a parsed export is hundreds of thousands
    // of small objects; a LinkedHashMap per object (copied once more by Obj) made the tree ~10x the input and the
    // parse GC-bound. Only this package creates them, from arrays it then gives up, so they cannot change.
    /**
     * Above this many members a map gets a hash index (a linear search would make lookups O(n) each); an
     * export entry has about a dozen, and a HashMap per entry would cost more than the search.
     */
    static final int LINEAR_MAX = 16;

    /** Members in insertion order; keys are unique (the parser checked). */
    static final class Members extends AbstractMap<String, Json> {
        private final String[] keys;
        private final Json[] values;
        private final HashMap<String, Integer> index;

        Members(String[] keys, Json[] values) {
            this.keys = keys;
            this.values = values;
            if (keys.length <= LINEAR_MAX) {
                index = null;
            } else {
                index = new HashMap<>(keys.length * 2);
                for (int i = 0; i < keys.length; i++) index.put(keys[i], i);
            }
        }

        private int find(Object key) {
            if (index != null) {
                Integer i = index.get(key);
                return i == null ? -1 : i;
            }
            for (int i = 0; i < keys.length; i++) {
                if (keys[i].equals(key)) return i;
            }
            return -1;
        }

        @Override
        public Json get(Object key) {
            int i = find(key);
            return i < 0 ? null : values[i];
        }

        @Override
        public boolean containsKey(Object key) {
            return find(key) >= 0;
        }

        @Override
        public int size() {
            return keys.length;
        }

        @Override
        public Set<Entry<String, Json>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public int size() {
                    return keys.length;
                }

                @Override
                public Iterator<Entry<String, Json>> iterator() {
                    return new Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < keys.length;
                        }

                        @Override
                        public Entry<String, Json> next() {
                            if (next >= keys.length) throw new NoSuchElementException();
                            int i = next++;
                            return new SimpleImmutableEntry<>(keys[i], values[i]);
                        }
                    };
                }
            };
        }
    }

    /** Items of an array. */
    static final class Items extends AbstractList<Json> implements RandomAccess {
        private final Json[] items;

        Items(Json[] items) {
            this.items = items;
        }

        @Override
        public Json get(int i) {
            return items[i];
        }

        @Override
        public int size() {
            return items.length;
        }
    }
}
