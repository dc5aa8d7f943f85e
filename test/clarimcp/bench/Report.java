package clarimcp.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The bench's table (Markdown) and the statistics it is made of. Rows come in the order measured. */
final class Report {
    /** One line of the table; target and verdict are empty where the issue sets no target. */
    record Row(String measure, String product, String reference, String target, String verdict) {}

    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    void row(String measure, String product, String reference) {
        rows.add(new Row(measure, product, reference, "", ""));
    }

    void check(String measure, String product, String reference, String target, boolean met) {
        rows.add(new Row(measure, product, reference, target, met ? "met" : "**missed**"));
    }

    void note(String text) {
        notes.add(text);
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("| measure | clari-revops-mcp | reference | target | |\n|---|---|---|---|---|\n");
        for (Row r : rows) {
            b.append("| ").append(r.measure()).append(" | ").append(r.product()).append(" | ").append(r.reference())
                    .append(" | ").append(r.target()).append(" | ").append(r.verdict()).append(" |\n");
        }
        if (!notes.isEmpty()) b.append('\n');
        for (String n : notes) b.append("- ").append(n).append('\n');
        return b.toString();
    }

    // ---------------------------------------------------------------- statistics (inputs in nanoseconds)

    /** The value at quantile q (0..1) of the samples, nearest rank. */
    static long quantile(long[] samples, double q) {
        long[] s = samples.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(q * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }

    static long median(long[] samples) {
        return quantile(samples, 0.5);
    }

    static long[] toArray(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    static String ms(long nanos) {
        double ms = nanos / 1e6;
        return String.format(Locale.ROOT, ms < 10 ? "%.2f ms" : ms < 100 ? "%.1f ms" : "%.0f ms", ms);
    }

    /** "median (min-max, n=N)". */
    static String spread(long[] samples) {
        long[] s = samples.clone();
        Arrays.sort(s);
        return ms(median(s)) + " (" + ms(s[0]).replace(" ms", "") + "-" + ms(s[s.length - 1]) + ", n=" + s.length + ")";
    }

    static String p50p99(long[] samples) {
        return ms(quantile(samples, 0.5)) + " / " + ms(quantile(samples, 0.99));
    }

    static String mib(long kib) {
        return kib < 0 ? "n/a (no /proc)" : String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0);
    }

    static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2fx", r);
    }
}
