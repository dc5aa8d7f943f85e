package clarimcp.bench;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.json.JsonWriter;
import clarimcp.sandbox.ClariSandbox;
import clarimcp.sandbox.SandboxOrg;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The measurements that talk to running servers; one sandbox serves them all. */
final class Sessions {
    private final ClariSandbox sandbox;
    private final Path product;
    private final Path minimal;
    private final Path logs;
    private final Report report;
    private final Map<String, String> env;

    Sessions(ClariSandbox sandbox, Path product, Path minimal, Path logs, Report report) {
        this.sandbox = sandbox;
        this.product = product;
        this.minimal = minimal;
        this.logs = logs;
        this.report = report;
        this.env = Map.of("CLARI_API_TOKEN", sandbox.token(), "CLARI_BASE_URL", sandbox.baseUrl().toString(),
                "CLARI_FORECAST_ID", "forecast");
    }

    void startup() throws Exception {
        List<Long> pInit = new ArrayList<>(), pList = new ArrayList<>(), pFirst = new ArrayList<>(), pRss = new ArrayList<>();
        List<Long> mInit = new ArrayList<>(), mList = new ArrayList<>(), mRss = new ArrayList<>();
        for (int run = -1; run < Bench.STARTS; run++) {
            boolean productFirst = run % 2 == 0;      // alternate, so drift in machine load hits both alike
            for (int k = 0; k < 2; k++) {
                boolean isProduct = productFirst == (k == 0);
                long[] t = isProduct ? productStart() : minimalStart();
                if (run < 0) continue;                // warms the OS file cache; not counted
                (isProduct ? pInit : mInit).add(t[0]);
                (isProduct ? pList : mList).add(t[1]);
                (isProduct ? pRss : mRss).add(t[2]);
                if (isProduct) pFirst.add(t[3]);
            }
        }
        long[] pi = Report.toArray(pInit), mi = Report.toArray(mInit), pl = Report.toArray(pList), ml = Report.toArray(mList);
        double initRatio = (double) Report.median(pi) / Report.median(mi);
        double listRatio = (double) Report.median(pl) / Report.median(ml);
        report.check("spawn -> initialize reply, median of " + Bench.STARTS + " cold starts", Report.spread(pi),
                "minimal program: " + Report.spread(mi), "<= 1.3x minimal", initRatio <= 1.3);
        report.row("&nbsp;&nbsp;ratio to the minimal program (initialize)", Report.ratio(initRatio), "");
        report.check("spawn -> tools/list reply", Report.spread(pl), "minimal program (2nd reply): " + Report.spread(ml),
                "<= 1.3x minimal", listRatio <= 1.3);
        report.row("&nbsp;&nbsp;ratio to the minimal program (tools/list)", Report.ratio(listRatio), "");
        report.row("first tools/call after start (get_deal_risk, 10 ids: HTTP client built, one request)",
                Report.spread(Report.toArray(pFirst)), "");
        report.row("peak RSS at the first tool call (product) / after 2 replies (minimal), median",
                Report.mib(Report.median(Report.toArray(pRss))), "minimal program: " + Report.mib(Report.median(Report.toArray(mRss))));
    }

    /** {init reply, tools/list reply, VmHWM before the first call (KiB), first tool call}, nanoseconds but RSS. */
    private long[] productStart() throws Exception {
        try (Child c = Child.start(product, env, logs.resolve("product-start.stderr"))) {
            c.send(Requests.initialize(0));
            long init = c.sinceSpawn(c.next(Bench.CALL_TIMEOUT_MS).arrivedNanos());
            c.send(Requests.INITIALIZED);
            c.send(Requests.toolsList(1));
            long list = c.sinceSpawn(c.next(Bench.CALL_TIMEOUT_MS).arrivedNanos());
            long rss = c.peakRssKiB();
            long start = System.nanoTime();
            Json.Obj r = c.request(Requests.tool(2, "get_deal_risk", dealArgs(10)), 2, Bench.CALL_TIMEOUT_MS);
            long first = System.nanoTime() - start;
            Requests.requireSuccess(r, "get_deal_risk");
            c.closeAndWait(Bench.CALL_TIMEOUT_MS);
            return new long[] {init, list, rss, first};
        }
    }

    private long[] minimalStart() throws Exception {
        try (Child c = Child.start(minimal, Map.of(), logs.resolve("minimal-start.stderr"))) {
            c.send(Requests.initialize(0));
            long init = c.sinceSpawn(c.next(Bench.CALL_TIMEOUT_MS).arrivedNanos());
            c.send(Requests.toolsList(1));
            long list = c.sinceSpawn(c.next(Bench.CALL_TIMEOUT_MS).arrivedNanos());
            long rss = c.peakRssKiB();
            c.closeAndWait(Bench.CALL_TIMEOUT_MS);
            return new long[] {init, list, rss, 0};
        }
    }

    void longSession() throws Exception {
        Map<String, List<Long>> perTool = new LinkedHashMap<>();
        long rssInit, rssCalls;
        List<Long> pings = new ArrayList<>();
        try (Child c = Child.start(product, env, logs.resolve("product-long.stderr"))) {
            c.request(Requests.initialize(0), 0, Bench.CALL_TIMEOUT_MS);
            c.send(Requests.INITIALIZED);
            List<String> tools = Requests.toolNames(c.request(Requests.toolsList(1), 1, Bench.CALL_TIMEOUT_MS));
            rssInit = c.peakRssKiB();
            List<String> mix = new ArrayList<>(List.of("get_pipeline_changes", "get_deal_risk"));
            if (tools.contains("get_admin_limits")) mix.add("get_admin_limits");
            Map<String, String> args = Map.of("get_pipeline_changes", JsonWriter.write(pipelineArgs()),
                    "get_deal_risk", JsonWriter.write(dealArgs(100)), "get_admin_limits", "{}");
            int id = 2;
            for (int i = 0; i < Bench.CALLS; i++, id++) {
                String tool = mix.get(i % mix.size());
                long start = System.nanoTime();
                Json.Obj r = c.request(Requests.toolRaw(id, tool, args.get(tool)), id, Bench.CALL_TIMEOUT_MS);
                perTool.computeIfAbsent(tool, k -> new ArrayList<>()).add(System.nanoTime() - start);
                Requests.requireSuccess(r, tool);
            }
            rssCalls = c.peakRssKiB();
            for (int i = 0; i < Bench.PINGS; i++, id++) {
                long start = System.nanoTime();
                c.request(Requests.ping(id), id, Bench.CALL_TIMEOUT_MS);
                pings.add(System.nanoTime() - start);
            }
            c.closeAndWait(Bench.CALL_TIMEOUT_MS);
        }
        long[] floor = minimalHttp();
        report.row("peak RSS after initialize + tools/list (long session)", Report.mib(rssInit), "");
        report.check("peak RSS after " + String.format("%,d", Bench.CALLS) + " tool calls (" + String.join(", ", perTool.keySet())
                + " in turn)", Report.mib(rssCalls), "minimal program after " + String.format("%,d", Bench.CALLS)
                + " HTTP GETs with java.net.http: " + Report.mib(floor[0]), "< 40 MiB", rssCalls >= 0 && rssCalls < 40 * 1024);
        double rssRatio = (double) rssCalls / floor[0];
        report.check("&nbsp;&nbsp;ratio to the minimal program (peak RSS after " + String.format("%,d", Bench.CALLS) + " calls)",
                Report.ratio(rssRatio), "", "<= 1.05x", rssCalls > 0 && floor[0] > 0 && rssRatio <= 1.05);
        report.row("round trip p50 / p99: ping (protocol only)", Report.p50p99(Report.toArray(pings)), "");
        for (Map.Entry<String, List<Long>> e : perTool.entrySet()) {
            report.row("round trip p50 / p99: " + e.getKey() + " (" + e.getValue().size() + " calls" + describe(e.getKey()) + ")",
                    Report.p50p99(Report.toArray(e.getValue())),
                    e.getKey().equals("get_admin_limits") ? "minimal program's GET of /admin/limits: p50 " + Report.ms(floor[1]) : "");
        }
    }

    private static String describe(String tool) {
        return switch (tool) {
            case "get_pipeline_changes" -> ", 7 days, limit 100";
            case "get_deal_risk" -> ", 100 ids";
            default -> "";
        };
    }

    /** The minimal program's 1,000 GETs of /admin/limits: {VmHWM KiB, median round trip ns}. */
    private long[] minimalHttp() throws Exception {
        Map<String, String> e = Map.of("MINIMAL_URL", sandbox.baseUrl() + "/admin/limits", "MINIMAL_TOKEN", sandbox.token());
        List<Long> times = new ArrayList<>();
        try (Child c = Child.start(minimal, e, logs.resolve("minimal-http.stderr"))) {
            c.request(Requests.initialize(0), 0, Bench.CALL_TIMEOUT_MS);
            for (int id = 1; id <= Bench.CALLS; id++) {
                long start = System.nanoTime();
                Json.Obj r = c.request(Requests.toolRaw(id, "get", "{}"), id, Bench.CALL_TIMEOUT_MS);
                times.add(System.nanoTime() - start);
                if (!Json.of(200).equals(r.obj("result").get("status"))) throw new IllegalStateException("minimal GET: " + r);
            }
            long rss = c.peakRssKiB();
            c.closeAndWait(Bench.CALL_TIMEOUT_MS);
            return new long[] {rss, Report.median(Report.toArray(times))};
        }
    }

    /** The server's environment for forecast measurements: no answers from memory unless asked for. */
    private Map<String, String> forecastEnv(String cacheSeconds) {
        Map<String, String> e = new HashMap<>(env);
        e.put("CLARI_CACHE_SECONDS", cacheSeconds);
        return e;
    }

    /** Status polls (GET /export/jobs/{id}, not its results) the sandbox has recorded. */
    private long statusPolls() {
        return sandbox.requests().stream().filter(r -> r.method().equals("GET") && r.path().matches("/v4/export/jobs/[^/]+")).count();
    }

    /**
     * The export path (sync read answering 501): overhead beyond the job for 1, 5 and 20 s jobs and status
     * polls per export, in one session, so every job after the first starts from the previous one's duration.
     */
    void forecastOverhead() throws Exception {
        List<Long> all = new ArrayList<>();
        Map<Duration, List<Long>> byJob = new LinkedHashMap<>();
        Map<Duration, List<Long>> polls = new LinkedHashMap<>();
        try (Child c = Child.start(product, forecastEnv("0"), logs.resolve("product-forecast.stderr"))) {
            c.request(Requests.initialize(0), 0, Bench.CALL_TIMEOUT_MS);
            c.send(Requests.INITIALIZED);
            sandbox.knobs().syncStatus(501);
            int id = 1;
            for (Duration job : Bench.JOBS) {
                for (int r = 0; r < Bench.FORECAST_RUNS; r++, id++) {
                    sandbox.knobs().jobDuration(job);
                    long before = statusPolls();
                    long start = System.nanoTime();
                    Json.Obj reply = c.request(Requests.tool(id, "get_forecast", Json.obj("time_period", sandbox.org().currentQuarter())), id, Bench.CALL_TIMEOUT_MS);
                    long overhead = System.nanoTime() - start - job.toNanos();
                    Requests.requireSuccess(reply, "get_forecast");
                    byJob.computeIfAbsent(job, k -> new ArrayList<>()).add(overhead);
                    polls.computeIfAbsent(job, k -> new ArrayList<>()).add(statusPolls() - before);
                    all.add(overhead);
                }
            }
            c.closeAndWait(Bench.CALL_TIMEOUT_MS);
        } finally {
            sandbox.knobs().reset();
        }
        StringBuilder each = new StringBuilder();
        byJob.forEach((job, o) -> each.append(each.isEmpty() ? "" : "; ").append(job.toSeconds()).append(" s: ")
                .append(Report.ms(Report.median(Report.toArray(o)))).append(" (runs ")
                .append(String.join(", ", o.stream().map(Report::ms).toList())).append(')'));
        StringBuilder perExport = new StringBuilder();
        polls.forEach((job, p) -> perExport.append(perExport.isEmpty() ? "" : "; ").append(job.toSeconds()).append(" s: ")
                .append(p.stream().map(String::valueOf).reduce((a, b) -> a + ", " + b).orElse("")));
        long median = Report.median(Report.toArray(all));
        report.check("get_forecast export path: overhead beyond the sandbox job (median of " + all.size()
                + "; one session, sync read 501, default polling)", Report.ms(median), "per job length: " + each, "< 250 ms",
                median < 250_000_000L);
        report.row("&nbsp;&nbsp;status polls per export (runs in order; the first of each length starts from the previous length)",
                perExport.toString(), "first poll when the session's previous job is expected to have ended (the middle of its last unfinished and DONE "
                + "checks), then 0.25 s growing 1.6x to 5 s; the first run of the session polls from 0.25 s");
    }

    /**
     * get_forecast on a real-shaped export of about 50 MB with 13 weeks (the sandbox's syntheticReps knob, a past
     * quarter), in a fresh server: wall time of the call and the server's peak RSS.
     */
    void largeExport() throws Exception {
        String quarter = SandboxOrg.quarterOf(sandbox.org().today().minusMonths(3)); // a past quarter: 13 weeks
        int probe = 1_000;
        long probeBytes = sandbox.syntheticExportBytes("forecast", quarter, probe);
        int reps = (int) (probe * (Bench.LARGE_EXPORT_BYTES / (double) probeBytes));
        reps = (int) (reps * (Bench.LARGE_EXPORT_BYTES / (double) sandbox.syntheticExportBytes("forecast", quarter, reps)));
        int bytes = sandbox.syntheticExportBytes("forecast", quarter, reps); // prepared before the call: not timed
        long wall;
        long rss;
        String text;
        try (Child c = Child.start(product, forecastEnv("0"), logs.resolve("product-large.stderr"))) {
            c.request(Requests.initialize(0), 0, Bench.CALL_TIMEOUT_MS);
            c.send(Requests.INITIALIZED);
            sandbox.knobs().syncStatus(501).jobDuration(Duration.ZERO).syntheticReps(reps);
            long start = System.nanoTime();
            Json.Obj reply = c.request(Requests.tool(1, "get_forecast", Json.obj("time_period", quarter)),
                    1, Bench.CALL_TIMEOUT_MS);
            wall = System.nanoTime() - start;
            rss = c.peakRssKiB();
            text = JsonWriter.write(reply);
            Requests.requireSuccess(reply, "get_forecast");
            c.closeAndWait(Bench.CALL_TIMEOUT_MS);
        } finally {
            sandbox.knobs().reset();
        }
        report.check("get_forecast on a " + String.format(Locale.ROOT, "%.1f", bytes / 1e6) + " MB, 13-week export ("
                + String.format("%,d", reps) + " synthetic reps + the seeded org, " + quarter + "): wall time / server peak RSS",
                Report.ms(wall) + " / " + Report.mib(rss), "export path (sync read 501), every week of the quarter, entries "
                + "streamed from the network into the table; 0 s job, so one 0.25 s poll is included; reply "
                + String.format("%,d", text.length()) + " chars", "<= 3 s and <= 200 MiB",
                wall <= 3_000_000_000L && rss >= 0 && rss <= 200 * 1024);
    }

    /** The current week through the synchronous read: the call against the sandbox's own answer to the same GET. */
    void syncRead() throws Exception {
        String quarter = sandbox.org().currentQuarter();
        StringBuilder query = new StringBuilder("?timePeriod=" + quarter);
        for (String t : List.of("forecast", "quota", "forecast_updated", "adjustment", "crm_total", "crm_closed")) {
            query.append("&typesToExport=").append(t);
        }
        query.append("&exportFormat=JSON");
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest get = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/forecast/forecast" + query))
                .header("apikey", sandbox.token()).header("Accept", "application/json").build();
        List<Long> calls = new ArrayList<>(), direct = new ArrayList<>();
        try (Child c = Child.start(product, forecastEnv("0"), logs.resolve("product-sync.stderr"))) {
            c.request(Requests.initialize(0), 0, Bench.CALL_TIMEOUT_MS);
            c.send(Requests.INITIALIZED);
            String args = JsonWriter.write(Json.obj("time_period", quarter));
            int id = 1;
            for (int r = -3; r < Bench.SYNC_RUNS; r++, id++) {         // three warm-ups each
                long start = System.nanoTime();
                Json.Obj reply = c.request(Requests.toolRaw(id, "get_forecast", args), id, Bench.CALL_TIMEOUT_MS);
                long call = System.nanoTime() - start;
                Requests.requireSuccess(reply, "get_forecast");
                start = System.nanoTime();
                HttpResponse<byte[]> answer = http.send(get, HttpResponse.BodyHandlers.ofByteArray());
                long own = System.nanoTime() - start;
                if (answer.statusCode() != 200) throw new IllegalStateException("sandbox GET /forecast: " + answer.statusCode());
                if (r < 0) continue;
                calls.add(call);
                direct.add(own);
            }
            c.closeAndWait(Bench.CALL_TIMEOUT_MS);
        }
        long callMedian = Report.median(Report.toArray(calls));
        long ownMedian = Report.median(Report.toArray(direct));
        long beyond = callMedian - ownMedian;
        report.check("current-week get_forecast (sync read): time beyond the sandbox's own answer, medians of " + Bench.SYNC_RUNS,
                Report.ms(beyond), "the call: " + Report.ms(callMedian) + "; the same GET /forecast from the bench's java.net.http: "
                + Report.ms(ownMedian), "<= 20 ms", beyond <= 20_000_000L);
    }

    /** A repeated identical question within CLARI_CACHE_SECONDS (default 300): answered from memory, no request. */
    void cachedRepeat() throws Exception {
        String args = JsonWriter.write(Json.obj("time_period", sandbox.org().currentQuarter()));
        List<Long> repeats = new ArrayList<>();
        long first;
        int sentByRepeats;
        try (Child c = Child.start(product, env, logs.resolve("product-cache.stderr"))) {
            c.request(Requests.initialize(0), 0, Bench.CALL_TIMEOUT_MS);
            c.send(Requests.INITIALIZED);
            long start = System.nanoTime();
            Requests.requireSuccess(c.request(Requests.toolRaw(1, "get_forecast", args), 1, Bench.CALL_TIMEOUT_MS), "get_forecast");
            first = System.nanoTime() - start;
            int before = sandbox.requests().size();
            for (int id = 2; id < 2 + Bench.SYNC_RUNS; id++) {
                start = System.nanoTime();
                Requests.requireSuccess(c.request(Requests.toolRaw(id, "get_forecast", args), id, Bench.CALL_TIMEOUT_MS), "get_forecast");
                repeats.add(System.nanoTime() - start);
            }
            sentByRepeats = sandbox.requests().size() - before;
            c.closeAndWait(Bench.CALL_TIMEOUT_MS);
        }
        report.row("repeated identical get_forecast within CLARI_CACHE_SECONDS (answered from memory), p50 / p99 of "
                + Bench.SYNC_RUNS, Report.p50p99(Report.toArray(repeats)), "first call (sync read, fresh server): " + Report.ms(first)
                + "; requests sent by the repeats: " + sentByRepeats);
    }

    void dealRisk() throws Exception {
        long[] plain = dealRiskRatio(Bench.DEAL_RUNS);
        double ratio = (double) plain[1] / plain[0];
        report.check("get_deal_risk 1,000 ids vs 100 ids (median of " + Bench.DEAL_RUNS + " each)",
                Report.ms(plain[1]) + " vs " + Report.ms(plain[0]) + " = " + Report.ratio(ratio), "", "< 1.5x", ratio < 1.5);
        sandbox.knobs().delay(Bench.SIMULATED_LATENCY);
        try {
            long[] slow = dealRiskRatio(5);
            report.row("&nbsp;&nbsp;same with " + Bench.SIMULATED_LATENCY.toMillis() + " ms added to every sandbox answer (median of 5)",
                    Report.ms(slow[1]) + " vs " + Report.ms(slow[0]) + " = " + Report.ratio((double) slow[1] / slow[0]), "");
        } finally {
            sandbox.knobs().reset();
        }
    }

    /** {median ns for 100 ids, median ns for 1,000 ids}, alternating the two. */
    private long[] dealRiskRatio(int runs) throws Exception {
        List<Long> hundred = new ArrayList<>(), thousand = new ArrayList<>();
        String a100 = JsonWriter.write(dealArgs(100)), a1000 = JsonWriter.write(dealArgs(1000));
        try (Child c = Child.start(product, env, logs.resolve("product-deals.stderr"))) {
            c.request(Requests.initialize(0), 0, Bench.CALL_TIMEOUT_MS);
            c.send(Requests.INITIALIZED);
            int id = 1;
            for (int r = -1; r < runs; r++) {              // run -1 warms both paths up
                for (boolean big : new boolean[] {r % 2 == 0, r % 2 != 0}) {
                    long start = System.nanoTime();
                    Json.Obj reply = c.request(Requests.toolRaw(id, "get_deal_risk", big ? a1000 : a100), id, Bench.CALL_TIMEOUT_MS);
                    long took = System.nanoTime() - start;
                    id++;
                    Requests.requireSuccess(reply, "get_deal_risk");
                    if (r >= 0) (big ? thousand : hundred).add(took);
                }
            }
            c.closeAndWait(Bench.CALL_TIMEOUT_MS);
        }
        return new long[] {Report.median(Report.toArray(hundred)), Report.median(Report.toArray(thousand))};
    }

    /** n opportunity ids: the sandbox's own first (it has a few hundred), then well-formed ids it does not know. */
    private Json.Obj dealArgs(int n) {
        List<String> ids = new ArrayList<>(sandbox.org().opportunities().stream().map(SandboxOrg.Opportunity::id).limit(n).toList());
        for (int i = 0; ids.size() < n; i++) ids.add(String.format("006BENCH%07d", i));
        return Json.obj("opp_ids", ObjBuilder.strings(ids));
    }

    private Json.Obj pipelineArgs() {
        LocalDate today = sandbox.org().today();
        return Json.obj("start_date", today.minusDays(7).toString(), "end_date", today.toString(),
                "limit", 100);
    }
}
