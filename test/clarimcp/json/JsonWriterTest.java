package clarimcp.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class JsonWriterTest {

    /** The expected escape of each control character U+0000..U+001F, written out in full. */
    private static final List<String> CONTROL_ESCAPES = List.of(
            "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
            "\\b", "\\t", "\\n", "\\u000b", "\\f", "\\r", "\\u000e", "\\u000f",
            "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
            "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f");

    static Stream<Arguments> controlChars() {
        return IntStream.range(0, 0x20).mapToObj(c -> Arguments.of(c, CONTROL_ESCAPES.get(c)));
    }

    @ParameterizedTest(name = "U+{0}")
    @MethodSource("controlChars")
    void write_controlChar_escaped(int c, String escape) {
        assertEquals("\"a" + escape + "b\"", JsonWriter.write(new Json.Str("a" + (char) c + "b")));
    }

    static Stream<Arguments> specialChars() {
        return Stream.of(
                Arguments.of("\"", "\"\\\"\""),
                Arguments.of("\\", "\"\\\\\""),
                Arguments.of("/", "\"/\""),
                Arguments.of("\u2028", "\"\\u2028\""),
                Arguments.of("\u2029", "\"\\u2029\""),
                Arguments.of("\u2027\u202A", "\"\u2027\u202A\""),
                Arguments.of("\u007F", "\"\u007F\""),
                Arguments.of("é€", "\"é€\""),
                Arguments.of("\uD83D\uDE00", "\"\uD83D\uDE00\""),
                Arguments.of("\uD800", "\"\\ud800\""),
                Arguments.of("\uDC00", "\"\\udc00\""),
                Arguments.of("\uDBFFx", "\"\\udbffx\""),
                Arguments.of("x\uDFFF", "\"x\\udfff\""),
                Arguments.of("\uDE00\uD83D", "\"\\ude00\\ud83d\""),
                Arguments.of("\uD83D\uD83D\uDE00", "\"\\ud83d\uD83D\uDE00\""),
                Arguments.of("", "\"\""));
    }

    @ParameterizedTest(name = "{index}")
    @MethodSource("specialChars")
    void write_specialChar_escapedOrKept(String value, String expected) {
        assertEquals(expected, JsonWriter.write(new Json.Str(value)));
    }

    @Test
    void write_everyBmpCharInKeyAndValue_noRawLineBreakAndRoundTrips() throws JsonException {
        for (int c = 0; c <= 0xFFFF; c++) {
            String s = "<" + (char) c + ">";
            Json value = Json.obj(s, s);
            String out = JsonWriter.write(value);
            assertFalse(out.indexOf('\n') >= 0 || out.indexOf('\r') >= 0, () -> "raw line break for " + out);
            assertEquals(value, JsonParser.parse(out));
        }
    }

    @Test
    void write_nestedValue_compactInInsertionOrder() {
        Json value = Json.obj("z", ObjBuilder.arr(Json.of(1), new Json.Num("-2.50e+3"), Json.Bool.TRUE, Json.Null.NULL),
                "a", Json.obj("k", "v"),
                "e", Json.Obj.EMPTY,
                "l", Json.Arr.EMPTY,
                "f", false);
        assertEquals("{\"z\":[1,-2.50e+3,true,null],\"a\":{\"k\":\"v\"},\"e\":{},\"l\":[],\"f\":false}",
                JsonWriter.write(value));
    }

    @Test
    void write_appendsToGivenBuilder() {
        StringBuilder out = new StringBuilder("x");
        JsonWriter.write(ObjBuilder.arr(Json.of("a")), out);
        assertEquals("x[\"a\"]", out.toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "{\"b\":1,\"a\":[1.0,-0,1E400,\"x\\n\\u2028\",{\"\":null}],\"c\":{\"y\":true,\"x\":false}}",
        "[123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890.5e-99]",
        "\"\\ud800 lone and \\udc00 lone, \\ud83d\\ude00 pair, \\u0000 nul\"",
        "[[[[[[[[[[[]]]]]]]]]]]",
        "{\"\\u0061b\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
        "0", "-0.0e-0", "true", "null", "\"\""})
    void write_parsedDocument_roundTrips(String text) throws JsonException {
        Json value = JsonParser.parse(text);
        String out = JsonWriter.write(value);
        assertEquals(value, JsonParser.parse(out));
        assertEquals(out, JsonWriter.write(JsonParser.parse(out)), "writing is stable");
    }

    @Test
    void writeCanonical_keys_sortedByUtf16CodeUnitsAtEveryLevel() {
        Map<String, Json> inner = new LinkedHashMap<>();
        inner.put("\uFFFF", Json.of(1));
        inner.put("\uD83D\uDE00", Json.of(2)); // U+1F600 sorts before U+FFFF in UTF-16, after it by code point
        inner.put("B", Json.of(3));
        inner.put("a", Json.of(4));
        inner.put("", Json.of(5));
        Json value = Json.obj("b", ObjBuilder.arr(new Json.Obj(inner)),
                "a", new Json.Obj(inner));
        String sortedInner = "{\"\":5,\"B\":3,\"a\":4,\"\uD83D\uDE00\":2,\"\uFFFF\":1}";
        assertEquals("{\"a\":" + sortedInner + ",\"b\":[" + sortedInner + "]}", JsonWriter.writeCanonical(value));
        // The plain writer keeps insertion order.
        assertEquals("{\"\uFFFF\":1,\"\uD83D\uDE00\":2,\"B\":3,\"a\":4,\"\":5}", JsonWriter.write(new Json.Obj(inner)));
    }

    @Test
    void writeCanonical_sameMembersDifferentOrder_sameText() throws JsonException {
        Json one = JsonParser.parse("{\"x\":{\"q\":1,\"p\":[2,{\"n\":3,\"m\":4}]},\"w\":\"s\"}");
        Json two = JsonParser.parse("{\"w\":\"s\",\"x\":{\"p\":[2,{\"m\":4,\"n\":3}],\"q\":1}}");
        assertEquals("{\"w\":\"s\",\"x\":{\"p\":[2,{\"m\":4,\"n\":3}],\"q\":1}}", JsonWriter.writeCanonical(one));
        assertEquals(JsonWriter.writeCanonical(one), JsonWriter.writeCanonical(two));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"", "1,\"x\":2", "NaN", "01", "1.", " 1", "+1", "0x1F", "1e", "١"})
    void write_numWithNonNumberText_refused(String text) {
        assertThrows(IllegalArgumentException.class, () -> JsonWriter.write(new Json.Num(text)));
    }
}
