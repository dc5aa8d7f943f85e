package clarimcp.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class JsonParserTest {

    /** Asserts both entry points (bytes and String) reject input with exactly this message. */
    private static void assertRejected(String input, String message) {
        JsonException fromBytes = assertThrows(JsonException.class, () -> JsonParser.parse(input.getBytes(UTF_8)));
        assertEquals(message, fromBytes.getMessage());
        JsonException fromString = assertThrows(JsonException.class, () -> JsonParser.parse(input));
        assertEquals(message, fromString.getMessage());
    }

    // Input in backquotes; '|' separates input and expected message (inputs contain commas).
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            ``                 | Unexpected end of input at offset 0
            `   `              | Unexpected end of input at offset 3
            `01`               | Invalid number at offset 1
            `-01`              | Invalid number at offset 2
            `+1`               | Unexpected character at offset 0
            `.5`               | Unexpected character at offset 0
            `1.`               | Invalid number at offset 2
            `1.e3`             | Invalid number at offset 2
            `1e`               | Invalid number at offset 2
            `1e+`              | Invalid number at offset 3
            `-`                | Invalid number at offset 1
            `- 1`              | Invalid number at offset 1
            `NaN`              | Unexpected character at offset 0
            `Infinity`         | Unexpected character at offset 0
            `-Infinity`        | Invalid number at offset 1
            `0x10`             | Trailing data at offset 1
            `[1 2]`            | Expected ',' or ']' at offset 3
            `[1,]`             | Unexpected character at offset 3
            `[,1]`             | Unexpected character at offset 1
            `[1,,2]`           | Unexpected character at offset 3
            `[`                | Unexpected end of input at offset 1
            `[1`               | Unexpected end of input at offset 2
            `{"a":1,}`         | Expected string key at offset 7
            `{"a" 1}`          | Expected ':' at offset 5
            `{"a":1 "b":2}`    | Expected ',' or '}' at offset 7
            `{a:1}`            | Expected string key at offset 1
            `{'a':1}`          | Expected string key at offset 1
            `['a']`            | Unexpected character at offset 1
            `{"a":1}x`         | Trailing data at offset 7
            `[] []`            | Trailing data at offset 3
            `1 // comment`     | Trailing data at offset 2
            `/* c */ 1`        | Unexpected character at offset 0
            `tru`              | Invalid literal at offset 0
            `True`             | Unexpected character at offset 0
            `nulL`             | Invalid literal at offset 0
            `truex`            | Trailing data at offset 4
            `"abc`             | Unexpected end of input at offset 4
            `"\\x41"`          | Invalid escape at offset 1
            `"ab\\'"`          | Invalid escape at offset 3
            `"\\u12G4"`        | Invalid escape at offset 1
            `"\\u00e"`         | Invalid escape at offset 1
            `"\\u12`           | Unexpected end of input at offset 5
            `"\\`              | Unexpected end of input at offset 2
            `"\\U0041"`        | Invalid escape at offset 1
            `{"a":1,"\\u0061":2}` | Duplicate key at offset 7
            `{"a":1,"a":2}`    | Duplicate key at offset 7
            `{"x":{"a":[],"a":[]}}` | Duplicate key at offset 13
            """)
    void parse_invalidText_rejectedWithMessageAndOffset(String input, String message) {
        assertRejected(input, message);
    }

    @ParameterizedTest(name = "char {0}")
    @ValueSource(ints = {0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F})
    void parse_unescapedControlCharInString_rejected(int c) {
        assertRejected("[\"a" + (char) c + "\"]", "Control character in string at offset 3");
    }

    @ParameterizedTest(name = "whitespace {0}")
    @ValueSource(strings = {"\u000B", "\u000C", "\u00A0", "\u2028", "\uFEFF", "\u3000"})
    void parse_nonJsonWhitespace_rejected(String space) {
        assertRejected("[" + space + "1]", "Unexpected character at offset 1");
    }

    // Hex bytes; the offset is that of the first byte of the bad sequence (the quote is at 0).
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            22ff22           | Invalid UTF-8 at offset 1
            2280 22          | Invalid UTF-8 at offset 1
            22c0af22         | Invalid UTF-8 at offset 1
            22c18122         | Invalid UTF-8 at offset 1
            22e08080 22      | Invalid UTF-8 at offset 1
            22e09fbf22       | Invalid UTF-8 at offset 1
            22f08fbfbf22     | Invalid UTF-8 at offset 1
            22eda08022       | Invalid UTF-8 at offset 1
            22edbfbf22       | Invalid UTF-8 at offset 1
            22f490808022     | Invalid UTF-8 at offset 1
            22f5808080 22    | Invalid UTF-8 at offset 1
            22fc8080808080 22 | Invalid UTF-8 at offset 1
            22e28222         | Invalid UTF-8 at offset 1
            2261e282         | Invalid UTF-8 at offset 2
            22c3             | Invalid UTF-8 at offset 1
            22e9616222       | Invalid UTF-8 at offset 1
            225c6ec322       | Invalid UTF-8 at offset 3
            efbbbf7b7d       | Byte order mark at offset 0
            c3a9             | Unexpected character at offset 0
            5b3120e2808031 5d | Expected ',' or ']' at offset 3
            """)
    void parse_invalidUtf8Bytes_rejectedWithOffset(String hex, String message) {
        String h = hex.replace(" ", "");
        byte[] bytes = HexFormat.of().parseHex(h);
        JsonException e = assertThrows(JsonException.class, () -> JsonParser.parse(bytes));
        assertEquals(message, e.getMessage());
    }

    @Test
    void parse_validUtf8AtBoundaries_decoded() throws JsonException {
        // U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF, U+10000, U+10FFFF
        byte[] bytes = HexFormat.of().parseHex("22c280dfbfe0a080ed9fbfee8080efbfbff0908080f48fbfbf22");
        String expected = "\u0080\u07FF\u0800\uD7FF\uE000\uFFFF" + Character.toString(0x10000)
                + Character.toString(0x10FFFF);
        assertEquals(new Json.Str(expected), JsonParser.parse(bytes));
    }

    @Test
    void parse_unpairedSurrogateCharInJavaString_rejected() {
        JsonException e = assertThrows(JsonException.class, () -> JsonParser.parse("[\"a\uD800\"]"));
        assertEquals("Unpaired surrogate at offset 3", e.getMessage());
        assertEquals(3, e.offset());
    }

    @Test
    void parse_escapes_unescaped() throws JsonException {
        Json v = JsonParser.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20AC\\ud83d\\ude00 é\"");
        assertEquals(new Json.Str("\"\\/\b\f\n\r\tAé€\uD83D\uDE00 é"), v);
    }

    @Test
    void parse_loneSurrogateEscape_keptInString() throws JsonException {
        assertEquals(new Json.Str("\uD800"), JsonParser.parse("\"\\ud800\""));
        assertEquals(new Json.Str("x\uDC00\uD800y"), JsonParser.parse("\"x\\uDC00\\uD800y\""));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"0", "-0", "1.0", "-0.0", "1E400", "1e-400", "-1.5e+10", "0.000", "1E+2",
            "123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789",
            "-99999999999999999999999999999999999999999999999999.00000000000000000000000000000000000001"})
    void parse_number_keepsExactText(String text) throws JsonException {
        assertEquals(new Json.Num(text), JsonParser.parse(text));
        assertEquals("[" + text + "]", JsonWriter.write(JsonParser.parse(" [ " + text + " ] ")));
    }

    @Test
    void parse_document_buildsModelInOrder() throws JsonException {
        Json v = JsonParser.parse(" {\"b\":[true,false,null,{}],\r\n\t\"a\":{\"x\":\"y\"},\"\":[]} ");
        Json.Obj o = (Json.Obj) v;
        assertEquals(List.of("b", "a", ""), List.copyOf(o.members().keySet()));
        assertEquals(ObjBuilder.arr(Json.Bool.TRUE, Json.Bool.FALSE, Json.Null.NULL, Json.Obj.EMPTY), o.get("b"));
        assertEquals(new Json.Obj(Map.of("x", new Json.Str("y"))), o.get("a"));
        assertEquals(Json.Arr.EMPTY, o.get(""));
    }

    @Test
    void parse_keysDifferingOnlyInCase_bothKept() throws JsonException {
        Json.Obj o = (Json.Obj) JsonParser.parse("{\"id\":1,\"ID\":2,\"Id\":3}");
        assertEquals(3, o.members().size());
    }

    @Test
    void parse_depthAtLimit_accepted() throws JsonException {
        String s = "[".repeat(JsonParser.MAX_DEPTH) + "]".repeat(JsonParser.MAX_DEPTH);
        assertTrue(JsonParser.parse(s) instanceof Json.Arr);
    }

    @Test
    void parse_depthOneOverLimit_rejected() {
        int depth = JsonParser.MAX_DEPTH + 1;
        assertRejected("[".repeat(depth) + "]".repeat(depth), "Nesting too deep at offset " + (depth - 1));
        assertRejected("{\"a\":".repeat(depth) + "1" + "}".repeat(depth),
                "Nesting too deep at offset " + 5 * (depth - 1));
    }

    @Test
    void parse_hundredThousandOpenBrackets_jsonExceptionNotStackOverflow() {
        assertRejected("[".repeat(100_000), "Nesting too deep at offset " + JsonParser.MAX_DEPTH);
        assertRejected("{\"a\":[".repeat(50_000), "Nesting too deep at offset " + 6 * JsonParser.MAX_DEPTH / 2);
    }

    @Test
    void parse_inputOverCap_rejectedBeforeParsing() throws JsonException {
        byte[] ten = "[1,2,3,45]".getBytes(UTF_8);
        assertEquals(ObjBuilder.arr(Json.of(1), Json.of(2), Json.of(3), Json.of(45)), JsonParser.parse(ten, 10));
        JsonException e = assertThrows(JsonException.class, () -> JsonParser.parse(ten, 9));
        assertEquals("Input too large at offset 9", e.getMessage());
        assertEquals(9, e.offset());
    }

    @Test
    void parse_stringOverDefaultCap_rejected() {
        // 'é' is two UTF-8 bytes: the String is short enough, its UTF-8 (DEFAULT_MAX_BYTES + 2) is not.
        String big = "\"" + "é".repeat(JsonParser.DEFAULT_MAX_BYTES / 2) + "\"";
        JsonException e = assertThrows(JsonException.class, () -> JsonParser.parse(big));
        assertEquals("Input too large at offset " + JsonParser.DEFAULT_MAX_BYTES, e.getMessage());
    }

    @Test
    void parse_negativeCap_illegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> JsonParser.parse(new byte[0], -1));
    }

    @Test
    void parse_objectOfManyKeys_lookupsAndDuplicateFound() throws JsonException {
        // Above JsonParser.LINEAR_MAX members the duplicate check and lookups switch to hashing.
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < 40; i++) sb.append("\"k").append(i).append("\":").append(i).append(',');
        Json.Obj obj = (Json.Obj) JsonParser.parse(sb.substring(0, sb.length() - 1) + "}");
        assertEquals(40, obj.members().size());
        assertEquals(new Json.Num("27"), obj.get("k27"));
        assertEquals(null, obj.get("k40"));
        assertEquals(List.of("k0", "k1", "k2"), List.copyOf(obj.members().keySet()).subList(0, 3));
        String dup = sb + "\"k33\":1}";
        assertRejected(dup, "Duplicate key at offset " + dup.lastIndexOf("\"k33\""));
    }

    @Test
    void parse_result_immutableAndEqualToBuiltValue() throws JsonException {
        Json.Obj parsed = (Json.Obj) JsonParser.parse("{\"a\":[1,\"x\"],\"b\":{}}");
        Json.Obj built = Json.obj("a", ObjBuilder.arr(new Json.Num("1"), new Json.Str("x")),
                "b", Json.Obj.EMPTY);
        assertEquals(built, parsed);
        assertEquals(built.hashCode(), parsed.hashCode());
        assertThrows(UnsupportedOperationException.class, () -> parsed.members().put("c", Json.Null.NULL));
        assertThrows(UnsupportedOperationException.class, () -> parsed.members().keySet().clear());
        assertThrows(UnsupportedOperationException.class, () -> parsed.arr("a").items().set(0, Json.Null.NULL));
    }
}
