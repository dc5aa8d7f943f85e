package clarimcp.bench;

import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;

/**
 * JSON parse throughput on a forecast export of a given size, run by the bench inside the product image's
 * own JVM (its baked options: C1 only, Serial GC, the small young generation), since that is where exports
 * are parsed: {@code build/image/bin/java --add-modules clarimcp --add-exports clarimcp/clarimcp.json=ALL-UNNAMED
 * -cp <bench classes> clarimcp.bench.ParseThroughput <MB> [tree|stream]}. Prints one line:
 * {@code bytes=N first_ms=N median_ms=N runs=N}. Two more modes measure memory, each in its own JVM so its
 * peak RSS is its own: {@code write <MB> <file>} writes the export to a file, {@code peak tree|stream <file>}
 * parses that file (read whole then tree-parsed, or streamed from the file) and prints {@code peak_rss_kib=N}.
 */
public final class ParseThroughput {
    /** Parses after the first: enough for a stable median, few enough to keep the bench short. */
    private static final int RUNS = 7;

    private ParseThroughput() {}

    public static void main(String[] args) throws JsonException, IOException {
        if (args[0].equals("write")) {
            try (OutputStream out = Files.newOutputStream(Path.of(args[2]))) {
                out.write(export(Integer.parseInt(args[1]) * 1_000_000L));
            }
            return;
        }
        if (args[0].equals("peak")) {
            Path file = Path.of(args[2]);
            long entries;
            if (args[1].equals("tree")) {
                entries = count(JsonParser.parse(Files.readAllBytes(file)));
            } else {
                try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
                    entries = stream(in);
                }
            }
            System.out.println("entries=" + entries + " peak_rss_kib=" + peakRssKib());
            return;
        }
        int megabytes = Integer.parseInt(args[0]);
        boolean streaming = args.length > 1 && args[1].equals("stream");
        byte[] export = export(megabytes * 1_000_000L);
        long[] ms = new long[RUNS];
        long first = 0;
        for (int i = -1; i < RUNS; i++) {
            long start = System.nanoTime();
            long entries = streaming ? stream(new ByteArrayInputStream(export)) : count(JsonParser.parse(export));
            long took = (System.nanoTime() - start) / 1_000_000;
            if (entries == 0) throw new IllegalStateException("bad parse");
            if (i < 0) first = took;
            else ms[i] = took;
        }
        Arrays.sort(ms);
        System.out.println("bytes=" + export.length + " first_ms=" + first + " median_ms=" + ms[RUNS / 2] + " runs=" + RUNS);
    }

    private static long count(Json tree) {
        return tree instanceof Json.Obj o ? o.arr("entries").size() : 0;
    }

    /** Streams the entries, keeping only a count (as an aggregating caller keeps only its cells). */
    private static long stream(InputStream in) throws JsonException, IOException {
        long[] n = {0};
        Consumer<Json> counter = entry -> n[0]++;
        Json rest = JsonParser.parseStreaming(in, JsonParser.DEFAULT_MAX_BYTES, Map.of("entries", counter));
        if (!(rest instanceof Json.Obj o) || o.arr("users") == null) throw new IllegalStateException("bad parse");
        return n[0];
    }

    /** VmHWM of /proc/self/status (Linux), or -1. */
    private static long peakRssKib() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) return -1;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        return -1;
    }

    /**
     * A forecast export of at least the given size, in the shape of the note's "five lists" [tap][gitlab]:
     * 200 users, 5 fields, 13 weeks of one quarter, entries of user x field x week (with forecast, quota
     * and adjustment values) repeated over more users as the size needs. Written as text, not built as a
     * tree, so generating it does not dominate the memory being measured. timePeriods[].year is a string, as
     * the tap's schema types it [tap].
     */
    static byte[] export(long size) {
        String[] fields = {"commit", "best_case", "pipeline", "closed", "quota"};
        StringBuilder sb = new StringBuilder((int) Math.min(Integer.MAX_VALUE - 16, size + 200_000)).append("{\"entries\":[");
        int users = 200;
        long n = 0;
        while (sb.length() < size) {
            if (n > 0) sb.append(',');
            int user = (int) (n % users);
            String field = fields[(int) (n / users % fields.length)];
            int week = (int) (n / (users * fields.length) % 13) + 1;
            String valueKey = field.equals("quota") ? "quotaValue" : n % 7 == 0 ? "adjustmentValue" : "forecastValue";
            sb.append("{\"userId\":\"").append(userId(user)).append("\",\"fieldId\":\"").append(field)
                    .append("\",\"timePeriodId\":\"2026_Q2\",\"timeFrameId\":\"2026_Q2_W").append(week)
                    .append("\",\"").append(valueKey).append("\":").append(1_000L * (n % 977) + n).append('.').append(n % 100);
            if (valueKey.equals("adjustmentValue")) {
                sb.append(",\"adjustedBy\":\"").append(userId(0)).append("\",\"adjustedOn\":").append(1_775_000_000_000L + n);
            }
            sb.append(",\"isUpdated\":").append(n % 3 == 0).append(",\"updatedBy\":\"").append(userId((int) (n % 17)))
                    .append("\",\"updatedOn\":").append(1_775_000_000_000L + n * 1_000)
                    .append(",\"currency\":{\"code\":\"USD\",\"symbol\":\"$\"}}");
            n++;
        }
        sb.append("],\"users\":[");
        for (int u = 0; u < users; u++) {
            if (u > 0) sb.append(',');
            sb.append("{\"userId\":\"").append(userId(u)).append("\",\"name\":\"User Ñumber ").append(u)
                    .append("\",\"email\":\"user").append(u).append("@example.com\",\"crmId\":\"005A0000").append(1000 + u)
                    .append("\",\"hierarchyId\":\"h").append(u).append("\",\"hierarchyName\":\"Sales Rep - East\"")
                    .append(",\"parentHierarchyId\":\"h").append(u / 10).append("\",\"parentHierarchyName\":\"Manager\"")
                    .append(",\"scopeId\":\"").append(u).append("::MGR\"}");
        }
        sb.append("],\"fields\":[");
        for (int f = 0; f < fields.length; f++) {
            sb.append(f > 0 ? "," : "").append("{\"fieldId\":\"").append(fields[f]).append("\",\"fieldName\":\"")
                    .append(fields[f].toUpperCase()).append("\",\"fieldType\":\"CURRENCY\"}");
        }
        sb.append("],\"timePeriods\":[{\"timePeriodId\":\"2026_Q2\",\"startDate\":\"2026-04-01\",\"endDate\":\"2026-06-30\","
                + "\"label\":\"Q2 2026\",\"year\":\"2026\",\"crmId\":\"2026_Q2\",\"type\":\"QUARTER\"}],\"timeFrames\":[");
        for (int w = 1; w <= 13; w++) {
            sb.append(w > 1 ? "," : "").append("{\"timeFrameId\":\"2026_Q2_W").append(w).append("\",\"startDate\":\"2026-04-")
                    .append(String.format("%02d", w)).append("\",\"endDate\":\"2026-04-").append(String.format("%02d", w + 1)).append("\"}");
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String userId(int u) {
        return "00580000" + (1_000_000 + u);
    }
}
