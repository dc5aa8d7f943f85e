package clarimcp.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the JSONTestSuite corpus (github.com/nst/JSONTestSuite, test_parsing/): every y_ file parses
 * (and survives write-then-parse), every n_ file is rejected with a JsonException, and every i_ file
 * (where RFC 8259 lets implementations choose) gets the decision pinned below.
 *
 * <p>Decisions for the i_ files:
 * <ul>
 *   <li>Huge numbers (i_number_*: huge exponents, over/underflow, integers beyond 64 bits): ACCEPT.
 *       Json.Num keeps the exact text; nothing is converted at parse time, so nothing overflows.
 *   <li>Unpaired surrogates written as \\u escapes (lone, inverted, truncated pairs, also in a key):
 *       ACCEPT. They are kept in the Java String; JsonWriter re-escapes them, so our output stays
 *       valid UTF-8. Rejecting would refuse upstream data that is otherwise fine.
 *   <li>Invalid UTF-8 bytes (ISO-8859-1 text, overlong forms, UTF-8-encoded surrogate U+D800, code
 *       points above U+10FFFF, truncated sequences, lone continuation bytes): REJECT, "Invalid UTF-8".
 *       RFC 8259 section 8.1 requires UTF-8, and replacing bytes silently would change data.
 *   <li>UTF-16 input with or without BOM: REJECT (its bytes are not JSON tokens in UTF-8).
 *   <li>UTF-8 byte order mark: REJECT, "Byte order mark": producers MUST NOT send it (section 8.1).
 *   <li>500 nested arrays: REJECT, "Nesting too deep": above JsonParser.MAX_DEPTH (128).
 * </ul>
 * A new i_ file in the corpus fails the test until a decision is written here.
 *
 * <p>One deliberate deviation from the y_ files: duplicate object keys are valid RFC 8259 syntax
 * (names only SHOULD be unique, section 4), but we reject them (see JsonParser), so the two y_ files
 * with a duplicated key are pinned as rejected with "Duplicate key" in {@link #Y_REJECTED}.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class JsonTestSuiteTest {

    private static final String ACCEPT = "accept";

    /** y_ files we reject on purpose -> the reason the JsonException message must start with. */
    private static final Map<String, String> Y_REJECTED = Map.of(
            "y_object_duplicated_key.json", "Duplicate key",
            "y_object_duplicated_key_and_value.json", "Duplicate key");

    /** i_ file name (without .json) -> ACCEPT, or the reason the JsonException message must start with. */
    private static final Map<String, String> I_DECISIONS = decisions();

    private static Map<String, String> decisions() {
        Map<String, String> d = new HashMap<>();
        for (String n : List.of("double_huge_neg_exp", "huge_exp", "neg_int_huge_exp", "pos_double_huge_exp",
                "real_neg_overflow", "real_pos_overflow", "real_underflow", "too_big_neg_int", "too_big_pos_int",
                "very_big_negative_int")) {
            d.put("i_number_" + n, ACCEPT);
        }
        d.put("i_object_key_lone_2nd_surrogate", ACCEPT);
        for (String n : List.of("1st_surrogate_but_2nd_missing", "1st_valid_surrogate_2nd_invalid",
                "incomplete_surrogate_and_escape_valid", "incomplete_surrogate_pair",
                "incomplete_surrogates_escape_valid", "invalid_lonely_surrogate", "invalid_surrogate",
                "inverted_surrogates_U+1D11E", "lone_second_surrogate")) {
            d.put("i_string_" + n, ACCEPT);
        }
        for (String n : List.of("UTF-8_invalid_sequence", "UTF8_surrogate_U+D800", "invalid_utf-8", "iso_latin_1",
                "lone_utf8_continuation_byte", "not_in_unicode_range", "overlong_sequence_2_bytes",
                "overlong_sequence_6_bytes", "overlong_sequence_6_bytes_null", "truncated-utf-8")) {
            d.put("i_string_" + n, "Invalid UTF-8");
        }
        for (String n : List.of("UTF-16LE_with_BOM", "utf16BE_no_BOM", "utf16LE_no_BOM")) {
            d.put("i_string_" + n, "Unexpected character");
        }
        d.put("i_structure_UTF-8_BOM_empty_object", "Byte order mark");
        d.put("i_structure_500_nested_arrays", "Nesting too deep");
        return Map.copyOf(d);
    }

    static Path corpus() {
        String shared = System.getProperty("clarimcp.shared", "../shared");
        Path dir = Path.of(shared, "conformance", "json", "test_parsing");
        assertTrue(Files.isDirectory(dir), () -> "JSONTestSuite corpus missing: " + dir.toAbsolutePath());
        return dir;
    }

    private static Stream<String> files(String prefix) throws IOException {
        try (Stream<Path> list = Files.list(corpus())) {
            List<String> names = list.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(prefix) && n.endsWith(".json"))
                    .sorted()
                    .toList();
            assertTrue(names.size() >= 30, () -> "too few " + prefix + " files: " + names.size());
            return names.stream();
        }
    }

    static Stream<String> yFiles() throws IOException {
        return files("y_");
    }

    static Stream<String> nFiles() throws IOException {
        return files("n_");
    }

    static Stream<String> iFiles() throws IOException {
        return files("i_");
    }

    private static byte[] read(String name) throws IOException {
        return Files.readAllBytes(corpus().resolve(name));
    }

    @Test
    void corpus_present_holdsAllThreeKinds() throws IOException {
        assertTrue(yFiles().count() >= 90);
        assertTrue(yFiles().toList().containsAll(Y_REJECTED.keySet()), "deviations name real y_ files");
        assertTrue(nFiles().count() >= 180);
        assertEquals(I_DECISIONS.size(), iFiles().count(), "one decision per i_ file");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("yFiles")
    void yFile_parsesAndRoundTrips(String name) throws IOException, JsonException {
        byte[] bytes = read(name);
        String rejection = Y_REJECTED.get(name);
        if (rejection != null) {
            JsonException e = assertThrows(JsonException.class, () -> JsonParser.parse(bytes));
            assertTrue(e.getMessage().startsWith(rejection + " at offset "), e::getMessage);
            return;
        }
        Json value = JsonParser.parse(bytes);
        assertEquals(value, JsonParser.parse(JsonWriter.write(value)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nFiles")
    void nFile_rejected(String name) throws IOException {
        byte[] bytes = read(name);
        JsonException e = assertThrows(JsonException.class, () -> JsonParser.parse(bytes));
        assertTrue(e.offset() >= 0 && e.offset() <= bytes.length, e::getMessage);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("iFiles")
    void iFile_decisionPinned(String name) throws IOException {
        String decision = I_DECISIONS.get(name.substring(0, name.length() - ".json".length()));
        assertNotNull(decision, "no decision written for " + name);
        byte[] bytes = read(name);
        try {
            Json value = JsonParser.parse(bytes);
            if (!decision.equals(ACCEPT)) fail("accepted, but the decision is to reject: " + decision);
            assertEquals(value, JsonParser.parse(JsonWriter.write(value)));
        } catch (JsonException e) {
            if (decision.equals(ACCEPT)) fail("rejected, but the decision is to accept: " + e.getMessage());
            assertTrue(e.getMessage().startsWith(decision + " at offset "), e::getMessage);
        }
    }
}
