package clarimcp.bench;

import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import clarimcp.json.JsonWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * JSON parse throughput on a forecast export of a given size, run by the bench inside the product image's
 * own JVM (its baked options: C1 only, Serial GC, the small young generation), since that is where exports
 * are parsed: {@code build/image/bin/java --add-modules clarimcp --add-exports clarimcp/clarimcp.json=ALL-UNNAMED
 * -cp <bench classes> clarimcp.bench.ParseThroughput <MB>}. The export has the shape the sandbox serves
 * (entries of user x field x week, with users), grown to the size. Prints one line:
 * {@code bytes=N first_ms=N median_ms=N runs=N}.
 */
public final class ParseThroughput {
    /** Parses after the first: enough for a stable median, few enough to keep the bench short. */
    private static final int RUNS = 7;

    private ParseThroughput() {}

    public static void main(String[] args) throws JsonException {
        int megabytes = Integer.parseInt(args[0]);
        byte[] export = export(megabytes * 1_000_000L);
        long[] ms = new long[RUNS];
        long first = 0;
        for (int i = -1; i < RUNS; i++) {
            long start = System.nanoTime();
            Json tree = JsonParser.parse(export, JsonParser.DEFAULT_MAX_BYTES);
            long took = (System.nanoTime() - start) / 1_000_000;
            if (!(tree instanceof Json.Obj o) || o.arr("entries").items().isEmpty()) throw new IllegalStateException("bad parse");
            if (i < 0) first = took;
            else ms[i] = took;
        }
        Arrays.sort(ms);
        System.out.println("bytes=" + export.length + " first_ms=" + first + " median_ms=" + ms[RUNS / 2] + " runs=" + RUNS);
    }

    /** A forecast export of at least the given size: 40 users, 5 fields, and as many weeks as it takes. */
    static byte[] export(long size) {
        String[] fields = {"commit", "best_case", "pipeline", "closed", "quota"};
        Json currency = Json.Obj.builder().put("code", "USD").put("symbol", "$").build();
        List<Json> users = new ArrayList<>();
        for (int u = 0; u < 40; u++) {
            users.add(Json.Obj.builder().put("userId", "u" + u).put("name", "User Number " + u)
                    .put("email", "user" + u + "@example.com").put("crmUserId", "005A0000" + (1000 + u)).build());
        }
        List<Json> entries = new ArrayList<>();
        long bytes = 0;
        for (int n = 0; bytes < size; n++) {
            Json entry = Json.Obj.builder().put("userId", "u" + n % 40).put("fieldId", fields[n / 40 % 5])
                    .put("timePeriodId", "2026_Q2").put("timeFrameId", "2026_Q2_W" + (n / 200 % 13 + 1))
                    .put("forecastValue", 1_000L * (n % 977) + n).put("currency", currency).put("dataType", "CURRENCY")
                    .put("isUpdated", n % 3 == 0).build();
            bytes += JsonWriter.write(entry).length() + 1;
            entries.add(entry);
        }
        Json doc = Json.Obj.builder().put("entries", new Json.Arr(entries)).put("users", new Json.Arr(users)).build();
        return JsonWriter.write(doc).getBytes(StandardCharsets.UTF_8);
    }
}
