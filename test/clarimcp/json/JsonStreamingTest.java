package clarimcp.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * JsonParser.parseStreaming against the tree parser: every JSONTestSuite file and generated exports (and
 * mutations of them) give the same tree, or the same JsonException message, through all three sources: the
 * bytes, an InputStream, and an InputStream that hands out a few bytes per read so tokens straddle every
 * window boundary.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JsonStreamingTest {

    /** Handlers for every top-level key, collecting what each streamed array handed out. */
    private static final class Collect extends AbstractMap<String, Consumer<Json>> {
        final Map<String, List<Json>> streamed = new LinkedHashMap<>();

        @Override
        public Consumer<Json> get(Object key) {
            List<Json> items = streamed.computeIfAbsent((String) key, k -> new ArrayList<>());
            return items::add;
        }

        @Override
        public Set<Entry<String, Consumer<Json>>> entrySet() {
            return Set.of();
        }

        /** The document again: the rest plus each streamed array (a key the rest lacks was streamed). */
        Json reassemble(Json rest) {
            if (!(rest instanceof Json.Obj o)) return rest;
            Map<String, Json> all = new LinkedHashMap<>(o.members());
            streamed.forEach((k, items) -> all.putIfAbsent(k, new Json.Arr(items)));
            return new Json.Obj(all);
        }
    }

    /** Hands out 1 to 7 bytes per read. */
    private static final class Trickle extends InputStream {
        private final byte[] data;
        private int at;

        Trickle(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() {
            return at < data.length ? data[at++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at >= data.length) return -1;
            int n = Math.min(Math.min(len, 1 + at % 7), data.length - at);
            System.arraycopy(data, at, b, off, n);
            at += n;
            return n;
        }
    }

    /** The tree, or the JsonException message: what the caller can observe. */
    private static Object outcome(Parse parse) throws IOException {
        try {
            return parse.run();
        } catch (JsonException e) {
            return e.getMessage();
        }
    }

    private interface Parse {
        Json run() throws JsonException, IOException;
    }

    /** Asserts all streaming sources agree with the tree parser on input; returns the outcome. */
    private static Object assertSameAsTree(byte[] input, int maxBytes) throws IOException {
        Object tree = outcome(() -> JsonParser.parse(input, maxBytes));
        for (int source = 0; source < 3; source++) {
            Collect collect = new Collect();
            int s = source;
            Object streamed = outcome(() -> collect.reassemble(switch (s) {
                case 0 -> JsonParser.parseStreaming(input, maxBytes, collect);
                case 1 -> JsonParser.parseStreaming(new ByteArrayInputStream(input), maxBytes, collect);
                default -> JsonParser.parseStreaming(new Trickle(input), maxBytes, collect);
            }));
            assertEquals(tree, streamed, "source " + source);
        }
        return tree;
    }

    static Stream<String> suiteFiles() throws IOException {
        try (Stream<Path> list = Files.list(JsonTestSuiteTest.corpus())) {
            return list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("suiteFiles")
    void suiteFile_sameTreeOrSameError(String name) throws IOException {
        byte[] bytes = Files.readAllBytes(JsonTestSuiteTest.corpus().resolve(name));
        Object outcome = assertSameAsTree(bytes, JsonParser.DEFAULT_MAX_BYTES);
        if (name.startsWith("n_")) assertTrue(outcome instanceof String, () -> "accepted: " + outcome);
    }

    @Test
    void suite_objectFilesStreamSomething() throws IOException {
        // Guards the test above against a Collect that streams nothing: the corpus has top-level arrays in objects.
        int streamedFiles = 0;
        for (String name : suiteFiles().toList()) {
            Collect collect = new Collect();
            try {
                Json rest = JsonParser.parseStreaming(Files.readAllBytes(JsonTestSuiteTest.corpus().resolve(name)),
                        JsonParser.DEFAULT_MAX_BYTES, collect);
                if (rest instanceof Json.Obj o && collect.streamed.keySet().stream().anyMatch(k -> !o.has(k))) streamedFiles++;
            } catch (JsonException e) {
                // rejected: compared above
            }
        }
        assertTrue(streamedFiles >= 2, "files with a streamed array: " + streamedFiles);
    }

    /** An export in the shape of the note's five lists [tap][gitlab], with escapes, non-ASCII and numbers. */
    static byte[] export(int entries) {
        StringBuilder sb = new StringBuilder("{\"entries\" : [\n");
        for (int n = 0; n < entries; n++) {
            if (n > 0) sb.append(",\n");
            sb.append("{\"userId\":\"u").append(n % 50).append("\",\"fieldId\":\"").append(n % 3 == 0 ? "commit" : "best_case")
                    .append("\",\"timePeriodId\":\"2026_Q2\",\"timeFrameId\":\"2026_Q2_W").append(n % 13 + 1)
                    .append("\",\"forecastValue\":").append(n * 1234.5e-1).append(",\"isUpdated\":").append(n % 2 == 0)
                    .append(",\"updatedBy\":\"Jos\u00e9 \\\"J\\\" \\u00c5berg \uD83D\uDE00\",\"updatedOn\":").append(1_775_000_000_000L + n)
                    .append(",\"note\":null,\"currency\":{\"code\":\"EUR\",\"symbol\":\"\u20ac\"}}");
        }
        sb.append("],\n\"users\":[{\"userId\":\"u1\",\"name\":\"A\",\"hierarchyId\":\"h1\",\"parentHierarchyId\":null}],")
                .append("\"fields\":[{\"fieldId\":\"commit\",\"fieldName\":\"Commit\",\"fieldType\":\"CURRENCY\"}],")
                .append("\"timePeriods\":[{\"timePeriodId\":\"2026_Q2\",\"year\":2026}],")
                .append("\"timeFrames\":[{\"timeFrameId\":\"2026_Q2_W1\",\"startDate\":\"2026-04-01\"}]}");
        return sb.toString().getBytes(UTF_8);
    }

    @Test
    void export_entriesHandedOutInOrder_restKeptAsTree() throws JsonException, IOException {
        byte[] export = export(3000); // several 64 KiB windows
        Json.Obj tree = (Json.Obj) JsonParser.parse(export);
        List<Json> entries = new ArrayList<>();
        Json rest = JsonParser.parseStreaming(new ByteArrayInputStream(export), JsonParser.DEFAULT_MAX_BYTES,
                Map.of("entries", entries::add));
        assertEquals(tree.arr("entries").items(), entries);
        Map<String, Json> withoutEntries = new LinkedHashMap<>(tree.members());
        withoutEntries.remove("entries");
        assertEquals(new Json.Obj(withoutEntries), rest);
        assertEquals(List.of("users", "fields", "timePeriods", "timeFrames"), List.copyOf(((Json.Obj) rest).members().keySet()));
        assertSameAsTree(export, JsonParser.DEFAULT_MAX_BYTES);
    }

    @Test
    void export_onlyTopLevelArraysStreamed() throws JsonException, IOException {
        byte[] nested = "{\"a\":{\"entries\":[1,2]},\"entries\":{\"x\":[3]},\"b\":[{\"entries\":[4]}]}".getBytes(UTF_8);
        List<Json> handed = new ArrayList<>();
        Json rest = JsonParser.parseStreaming(new ByteArrayInputStream(nested), 1000, Map.of("entries", handed::add));
        assertEquals(JsonParser.parse(nested), rest, "entries not an array, or below the top level: kept in the tree");
        assertEquals(List.of(), handed);
        Json top = JsonParser.parseStreaming("[{\"entries\":[1]}]".getBytes(UTF_8), 1000, Map.of("entries", handed::add));
        assertEquals(JsonParser.parse("[{\"entries\":[1]}]"), top, "a top-level array streams nothing");
        assertEquals(List.of(), handed);
    }

    @Test
    void export_truncatedAnywhere_sameErrorAsTree() throws IOException {
        byte[] export = export(40);
        for (int length = 0; length < export.length; length += 1 + length % 5) {
            byte[] cut = java.util.Arrays.copyOf(export, length);
            Object outcome = assertSameAsTree(cut, JsonParser.DEFAULT_MAX_BYTES);
            assertTrue(outcome instanceof String, () -> "accepted: " + outcome);
        }
    }

    @Test
    void export_badByteAnywhere_sameErrorAsTree() throws IOException {
        byte[] export = export(40);
        for (byte bad : new byte[] {(byte) 0xFF, (byte) 0xC0, (byte) 0x80, 0x01, '}', ']', '"', '\\', ',', '0'}) {
            for (int at = 0; at < export.length; at += 7) {
                byte[] mutated = export.clone();
                mutated[at] = bad;
                assertSameAsTree(mutated, JsonParser.DEFAULT_MAX_BYTES);
            }
        }
    }

    @Test
    void export_lateErrorsAfterEntriesHandedOut_sameErrorAsTree() throws IOException {
        String export = new String(export(2000), UTF_8);
        String lastEntry = "\"currency\":{\"code\":\"EUR\",\"symbol\":\"\u20ac\"}}],";
        int end = export.indexOf(lastEntry);
        List<String> mutations = List.of(
                export.substring(0, end) + "\"updatedBy\":1," + export.substring(end), // duplicate key in an entry
                export.replace("\"timeFrames\":[{", "\"timeFrames\":[" + "[".repeat(130) + "{"), // too deep
                export.substring(0, end) + "\"x\":[" + "[".repeat(126) + "]" + "]".repeat(126) + "," + export.substring(end),
                export.replace("\"fields\":[", "\"entries\":[],\"fields\":["), // the streamed key twice
                export + " x", // trailing data
                export.replace("\"year\":2026", "\"year\":2026."), // bad number after every entry
                export.replace("\"fieldName\":\"Commit\"", "\"fieldName\":\"Co\\x\"")); // bad escape
        for (String m : mutations) {
            byte[] bytes = m.getBytes(UTF_8);
            List<Json> handed = new ArrayList<>();
            JsonException e = assertThrows(JsonException.class, () -> JsonParser.parseStreaming(
                    new ByteArrayInputStream(bytes), JsonParser.DEFAULT_MAX_BYTES, Map.of("entries", handed::add)));
            assertTrue(handed.size() >= 1999, "the error came after the entries were handed out: " + handed.size());
            JsonException fromTree = assertThrows(JsonException.class, () -> JsonParser.parse(bytes));
            assertEquals(fromTree.getMessage(), e.getMessage());
            assertSameAsTree(bytes, JsonParser.DEFAULT_MAX_BYTES);
        }
    }

    @Test
    void handlerException_propagatesAsIs() {
        byte[] export = export(100);
        IllegalStateException boom = new IllegalStateException("boom");
        int[] seen = {0};
        Consumer<Json> handler = entry -> {
            if (++seen[0] == 3) throw boom;
        };
        assertSame(boom, assertThrows(IllegalStateException.class,
                () -> JsonParser.parseStreaming(new ByteArrayInputStream(export), 1 << 20, Map.of("entries", handler))));
        assertEquals(3, seen[0], "no element after the throwing one");
        seen[0] = 0;
        assertSame(boom, assertThrows(IllegalStateException.class,
                () -> JsonParser.parseStreaming(export, 1 << 20, Map.of("entries", handler))));
    }

    @Test
    void readFailure_propagatesAsIs() {
        byte[] export = export(100);
        IOException broken = new IOException("connection reset");
        InputStream failing = new InputStream() {
            private final InputStream first = new ByteArrayInputStream(export, 0, 5000);

            @Override
            public int read() throws IOException {
                int b = first.read();
                if (b < 0) throw broken;
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = first.read(b, off, len);
                if (n < 0) throw broken;
                return n;
            }
        };
        assertSame(broken, assertThrows(IOException.class,
                () -> JsonParser.parseStreaming(failing, 1 << 20, Map.of("entries", e -> { }))));
    }

    @Test
    void cap_sameAsTree_evenWithAnEarlierError() throws IOException, JsonException {
        byte[] export = export(3000);
        int cap = export.length;
        assertTrue(assertSameAsTree(export, cap) instanceof Json, "exactly at the cap: accepted");
        assertEquals("Input too large at offset " + (cap - 1), assertSameAsTree(export, cap - 1));
        byte[] brokenEarly = export.clone();
        brokenEarly[20] = '}';
        assertEquals("Input too large at offset " + (cap - 1), assertSameAsTree(brokenEarly, cap - 1),
                "over the cap is over the cap, whatever else is wrong");
        assertEquals("Input too large at offset 0", assertSameAsTree("{}".getBytes(UTF_8), 0));
        assertThrows(IllegalArgumentException.class,
                () -> JsonParser.parseStreaming(new ByteArrayInputStream(export), -1, Map.of()));
    }

    @Test
    void streamingEntries_notHeld_windowStaysSmall() throws JsonException, IOException {
        // 4 MB of entries through a stream that reports how far ahead of the handler the parser read.
        byte[] export = export(20_000);
        long[] read = {0};
        InputStream counting = new ByteArrayInputStream(export) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                int n = super.read(b, off, len);
                if (n > 0) read[0] += n;
                return n;
            }
        };
        long[] maxAhead = {0};
        int[] count = {0};
        int entrySize = export.length / 20_000;
        JsonParser.parseStreaming(counting, JsonParser.DEFAULT_MAX_BYTES, Map.of("entries", e -> {
            count[0]++;
            maxAhead[0] = Math.max(maxAhead[0], read[0] - (long) count[0] * entrySize);
        }));
        assertEquals(20_000, count[0]);
        assertTrue(maxAhead[0] < 256 * 1024, "read ahead of the handler: " + maxAhead[0] + " bytes");
    }
}
