package clarimcp.bench;

import clarimcp.sandbox.ClariSandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;

/**
 * `make bench` (a benchmark, not a test: it asserts nothing and takes a few minutes). Against the Clari
 * sandbox on 127.0.0.1 and in one run, it measures the built launcher side by side with the minimal program
 * of build/bench/minimal-image (made the same way): spawn -> initialize and -> tools/list replies over cold
 * starts, the first tool call, peak RSS (VmHWM of the JVM) after initialize and after 1,000 tool calls,
 * per-call round trips, get_forecast's overhead beyond the sandbox job (and polls per export), the synchronous
 * read against the sandbox's own answer time, a repeated question answered from memory, a 50 MB 13-week export
 * (wall time, peak RSS), get_deal_risk with 1,000 vs 100 ids,
 * and JSON parse throughput on a 10 MB export in the image's JVM. Prints a Markdown table and writes it to
 * the file named by -Dclarimcp.bench.out. See {@link Sessions} for how each is taken.
 */
public final class Bench {
    /** Cold starts per program (the issue asks for a median of at least 10), after one unmeasured start each. */
    static final int STARTS = 21;
    static final int CALLS = 1_000;
    static final int PINGS = 1_000;
    static final List<Duration> JOBS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(20));
    static final int FORECAST_RUNS = 3;
    /** The size the issue names for a real org's 13-week export. */
    static final long LARGE_EXPORT_BYTES = 50_000_000L;
    /** Synchronous reads and cached repeats measured, after warm-ups. */
    static final int SYNC_RUNS = 21;
    static final int DEAL_RUNS = 11;
    /** Per request, to show what 1,000 ids cost when Clari is a network away rather than on loopback. */
    static final Duration SIMULATED_LATENCY = Duration.ofMillis(50);
    static final int PARSE_MB = 10;
    static final long CALL_TIMEOUT_MS = 120_000;

    private Bench() {}

    public static void main(String[] args) throws Exception {
        Path product = Path.of(property("clarimcp.launcher"));
        Path minimal = Path.of(property("clarimcp.minimal"));
        Path image = Path.of(property("clarimcp.image"));
        Path out = Path.of(property("clarimcp.bench.out"));
        Path logs = Files.createDirectories(out.resolveSibling("bench"));
        String started = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String loadBefore = loadAverage();
        Report report = new Report();
        try (ClariSandbox sandbox = ClariSandbox.start()) {
            Sessions s = new Sessions(sandbox, product, minimal, logs, report);
            progress("start-up: " + STARTS + " cold starts of each program, interleaved");
            s.startup();
            progress("1,000 tool calls, then 1,000 pings, in one session; the minimal program's 1,000 HTTP GETs");
            s.longSession();
            progress("get_forecast against sandbox jobs of 1, 5 and 20 s (" + FORECAST_RUNS + " each; ~2 minutes)");
            s.forecastOverhead();
            progress("current-week get_forecast through the synchronous read, against the sandbox's own answer");
            s.syncRead();
            progress("a repeated identical get_forecast within CLARI_CACHE_SECONDS");
            s.cachedRepeat();
            progress("get_forecast on a 50 MB, 13-week export (a fresh server; its peak RSS)");
            s.largeExport();
            progress("get_deal_risk with 1,000 and 100 ids");
            s.dealRisk();
        }
        progress("JSON parse of a " + PARSE_MB + " MB export in the image's JVM");
        ParseRun.measure(image, Path.of(property("clarimcp.bench.classes")), PARSE_MB, report);
        imageSize(image, report);
        String header = "# make bench\n\n" + started + "; JDK " + ParseRun.jdkVersion(image) + "; "
                + Runtime.getRuntime().availableProcessors() + " CPUs; load average before " + loadBefore
                + ", after " + loadAverage() + " (other work on the machine adds noise: compare medians side by side)\n\n";
        String md = header + report.markdown();
        Files.writeString(out, md, StandardCharsets.UTF_8);
        System.out.println(md);
        System.out.println("written to " + out);
    }

    private static String property(String name) {
        String v = System.getProperty(name);
        if (v == null) throw new IllegalArgumentException("missing -D" + name + " (run through make bench)");
        return v;
    }

    static void progress(String what) {
        System.err.println("bench: " + what);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "n/a";
        }
    }

    private static void imageSize(Path image, Report report) throws IOException {
        long total;
        try (Stream<Path> files = Files.walk(image)) {
            total = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        long cache;
        try (Stream<Path> files = Files.list(image.resolve("lib"))) {
            cache = files.filter(p -> p.toString().endsWith(".aot") || p.toString().endsWith(".jsa"))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
        report.row("image size (build/image)", mb(total) + ", of which lib/modules " + mb(image.resolve("lib/modules").toFile().length())
                + ", start-up cache " + mb(cache), "");
    }

    private static String mb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
