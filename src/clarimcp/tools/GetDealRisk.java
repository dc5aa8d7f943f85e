package clarimcp.tools;

import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariException;
import clarimcp.clari.Sanitize;
import clarimcp.json.Json;
import clarimcp.mcp.Tool;
import clarimcp.mcp.ToolContext;
import clarimcp.mcp.ToolException;
import clarimcp.mcp.ToolResult;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * get_deal_risk: Clari's CRM score and key fields of opportunities, filtered, totalled per forecast
 * category, and (with changed_since) what moved on them. Clari's CRM score is a deal-health score (0-100):
 * <em>low</em> means at risk, so deals are listed lowest score first (unscored last). The text and
 * structuredContent carry the same facts, rows and notes (clients show the model one or the other).
 *
 * <p>Ids [spec]: {@code GET /opportunity?oppId=..} takes at most 100 ids and cannot list deals, so ids come
 * from the caller. Users paste Salesforce ids in the 15-character form (URLs, reports) while Clari may
 * answer with the 18-character one (the note): both sides are compared through {@link #key}, and each
 * deal is reported under the id the caller gave. Other CRMs' ids (Dynamics GUIDs, HubSpot numbers,
 * {@code opp_001}) are unconfirmed by any source but sent as given: ids are URL-encoded anyway.
 */
public final class GetDealRisk implements Tool {
    /** What can be an id in any CRM we know of (trimmed first); nothing else is refused. */
    static final Pattern OPP_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    static final int MAX_IDS = 1000;
    /** Ids per Clari call: the opportunity endpoint's documented maxItems [spec]. */
    static final int BATCH = 100;
    /** Calls in flight at once: Clari is a low-throughput API, and a burst would only earn 429s. */
    static final int MAX_PARALLEL = 4;
    /** Largest min_amount accepted: a quadrillion is beyond any deal, and bounds the comparison. */
    private static final String MAX_AMOUNT = "1000000000000000"; // text: BigDecimal's first use costs ~8 ms, kept off the start path
    /** Forecast categories asked at once: Clari has five standard ones; room for custom ones. */
    private static final int MAX_CATEGORIES = 20;
    /** Characters of a refused id quoted back: enough to recognise it, too few to flood the message. */
    private static final int MAX_QUOTED = 40;
    /** Salesforce's alphabet for the 3 checksum characters of an 18-character id. */
    private static final String SF_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    private static final Pattern SF_ID = Pattern.compile("[A-Za-z0-9]{15}([A-Za-z0-5]{3})?");
    /** Args checks only that each item is a string; the id check trims first and names the bad id. */
    private static final Pattern ANY = Pattern.compile("(?s).*");
    private static final Pattern GUID = Pattern.compile("[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern SHORT_TEXT = Pattern.compile("(?s)\\s*\\S.{0,199}");

    private final ClariAccess clari;
    private final Clock clock;

    public GetDealRisk(ClariAccess clari) {
        this(clari, Clock.systemUTC());
    }

    /** clock: "today", whose calendar quarter changed_since judges close dates against. */
    GetDealRisk(ClariAccess clari, Clock clock) {
        this.clari = clari;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "get_deal_risk";
    }

    @Override
    public String title() {
        return "Clari deal risk";
    }

    @Override
    public String description() {
        return "Clari CRM score (deal health 0-100; low = at risk), amount, stage, close date, category, owner of given deals: "
                + "totals per forecast category, riskiest first; optional filters; changed_since lists slips and Commit moves. "
                + "Clari cannot list deals: take ids from a CRM report or another tool.";
    }

    @Override
    public Json.Obj inputSchema() {
        Json.Obj ids = Json.Obj.builder().put("type", "array")
                .put("items", Json.Obj.builder().put("type", "string").put("pattern", "^\\s*" + OPP_ID.pattern() + "\\s*$").build())
                .put("minItems", 1).put("maxItems", MAX_IDS)
                .put("description", "CRM opportunity ids as in the CRM: Salesforce 15 or 18 characters (006Z000000EPuiy, "
                        + "006Z000000EPuiyIAD), GUIDs, numbers").build();
        Json.Obj categories = Json.Obj.builder().put("type", "array").put("items", Schema.type("string"))
                .put("minItems", 1).put("maxItems", MAX_CATEGORIES)
                .put("description", "keep deals in these forecast categories, any case (e.g. [\"Commit\",\"Best Case\"]); with "
                        + "changed_since, also deals in them at that time").build();
        Json.Obj date = Schema.string("YYYY-MM-DD, inclusive", "^" + DATE.pattern() + "$");
        return Schema.object(true, Schema.props().put("opp_ids", ids)
                .put("forecast_category", categories)
                .put("open_only", Schema.type("boolean", "drop closed deals: stage containing 'Closed' (Closed Won/Lost) or "
                        + "category Closed; Omitted alone is not closed. Default false"))
                .put("close_from", date).put("close_to", date)
                .put("owner", Schema.type("string", "owner's full name or email, any case"))
                .put("min_amount", Json.Obj.builder().put("type", "number").put("minimum", 0).build())
                .put("max_score", Json.Obj.builder().put("type", "number").put("minimum", 0).put("maximum", 100)
                        .put("description", "keep CRM scores at or below this").build())
                .put("changed_since", Schema.string("YYYY-MM-DD (UTC) or ISO date-time: list changes of stage, amount, close "
                        + "date and category since then, with slips and Commit moves", Args.DATE_OR_TIME.pattern()))
                .build(), "opp_ids");
    }

    @Override
    public Json.Obj outputSchema() {
        // Compact: one array per row under named columns (an object per row doubled the JSON's size).
        Json.Obj table = Schema.object(false, Schema.props().put("columns", Schema.array(Schema.type("string")))
                .put("rows", Schema.array(Schema.type("array"))).build(), "columns", "rows");
        Json.Obj changes = Schema.object(false, Schema.props()
                .put("since", Schema.type("string", "absent: the latest change per field (then changes is absent without rows)"))
                .put("columns", Schema.array(Schema.type("string"))).put("rows", Schema.array(Schema.type("array")))
                .put("more", Schema.type("integer", "change rows not listed"))
                .put("summary", table)
                .put("netAmountChange", Schema.type("number", "over the deals with amount changes"))
                .put("amountChangedDeals", Schema.type("integer")).build(), "columns", "rows", "more");
        return Schema.object(false, Schema.props()
                .put("found", Schema.type("integer", "deals Clari answered for"))
                .put("matched", Schema.type("integer", "deals passing the filters"))
                .put("totals", table)
                .put("columns", Schema.array(Schema.type("string", "absent when rows is empty")))
                .put("rows", Schema.array(Schema.type("array", "one matching deal, lowest score first")))
                .put("more", Schema.type("integer", "matching deals not listed"))
                .put("changes", changes)
                .put("notFoundCount", Schema.type("integer", "ids Clari did not answer for; notFound lists the first " + DealReport.MAX_LISTED_UNKNOWN))
                .put("notFound", Schema.array(Schema.type("string")))
                .put("notes", Schema.array(Schema.type("string", "every NOTE line of the text")))
                .build(), "found", "matched", "totals", "rows", "more", "notFoundCount", "notFound", "notes");
    }

    @Override
    public Json.Obj annotations() {
        return Schema.READ_ONLY;
    }

    @Override
    public ToolResult call(Json.Obj arguments, ToolContext ctx) throws ToolException, InterruptedException {
        Args args = new Args(arguments, Set.of("opp_ids", "forecast_category", "open_only", "close_from", "close_to", "owner",
                "min_amount", "max_score", "changed_since"));
        List<String> given = args.requiredStrings("opp_ids", 1, MAX_IDS, ANY, "a string");
        Map<String, String> asked = new LinkedHashMap<>(); // key -> the first id given for that deal
        for (int i = 0; i < given.size(); i++) {
            String id = given.get(i).strip();
            if (!OPP_ID.matcher(id).matches()) {
                String quoted = Sanitize.text(id.length() > MAX_QUOTED ? id.substring(0, MAX_QUOTED) + "…" : id);
                throw new ToolException("'opp_ids'[" + i + "] \"" + quoted + "\" is not an opportunity id: use 1-64 letters, "
                        + "digits or - _ . : as in the CRM (e.g. 006Z000000EPuiyIAD)");
            }
            asked.putIfAbsent(key(id), id);
        }
        List<String> categories = args.optionalStrings("forecast_category", MAX_CATEGORIES, SHORT_TEXT, "a category name (1-200 characters)");
        LocalDate from = date(args, "close_from"), to = date(args, "close_to");
        if (from != null && to != null && from.isAfter(to)) throw new ToolException("'close_from' must not be after 'close_to'");
        String owner = args.optionalString("owner", SHORT_TEXT, "a name or email (1-200 characters)");
        String sinceText = args.optionalString("changed_since", Args.DATE_OR_TIME, "a date YYYY-MM-DD or an ISO date-time (2026-11-27T09:00:00Z)");
        Instant since = sinceText == null ? null : instant(sinceText);
        DealReport.Filters filters = new DealReport.Filters(categories == null ? null : Set.copyOf(categories.stream().map(c -> c.strip().toLowerCase(Locale.ROOT)).toList()),
                args.optionalBoolean("open_only", false), from, to, owner == null ? null : owner.strip().toLowerCase(Locale.ROOT),
                args.optionalNumber("min_amount", BigDecimal.ZERO, new BigDecimal(MAX_AMOUNT)),
                args.optionalNumber("max_score", BigDecimal.ZERO, BigDecimal.valueOf(100)), since);

        ClariClient client = clari.client(ctx);
        Map<String, Deal> found = fetch(client, asked, ctx);
        List<Deal> deals = new ArrayList<>();
        List<String> notFound = new ArrayList<>();
        asked.forEach((key, id) -> {
            Deal d = found.get(key);
            if (d == null) notFound.add(id);
            else deals.add(d);
        });
        return DealReport.render(deals, notFound, filters, arguments, since, LocalDate.now(clock.withZone(ZoneOffset.UTC)));
    }

    private static LocalDate date(Args args, String name) throws ToolException {
        String v = args.optionalString(name, DATE, "a date YYYY-MM-DD");
        try {
            return v == null ? null : LocalDate.parse(v);
        } catch (DateTimeParseException e) {
            throw new ToolException("'" + name + "' must be a real date YYYY-MM-DD");
        }
    }

    /** A date is the start of that day (UTC); a date-time without an offset is UTC too. */
    static Instant instant(String v) throws ToolException {
        try {
            return Args.instant(v, false);
        } catch (DateTimeParseException e) {
            throw new ToolException("'changed_since' must be a date YYYY-MM-DD or an ISO date-time (2026-11-27T09:00:00Z)");
        }
    }

    /**
    /**
     * The same deal's key for every spelling of its id: a Salesforce id in either form becomes its
     * 18-character form (the caller's 15 and Clari's 18 then meet), a GUID lower case (GUIDs ignore
     * case; whether Clari keeps the caller's case is unknown); anything else is its own key.
     */
    static String key(String id) {
        if (GUID.matcher(id).matches()) return id.toLowerCase(Locale.ROOT);
        if (!SF_ID.matcher(id).matches()) return id;
        String full = salesforce18(id.substring(0, 15));
        return id.length() == 15 || id.substring(15).equalsIgnoreCase(full.substring(15)) ? full : id;
    }

    /**
     * A 15-character Salesforce id plus its checksum: for each group of 5 characters, a 5-bit number
     * whose bit i is set when character i is an upper-case letter, as a letter of A-Z0-5.
     */
    static String salesforce18(String id15) {
        StringBuilder out = new StringBuilder(id15);
        for (int group = 0; group < 3; group++) {
            int bits = 0;
            for (int i = 0; i < 5; i++) {
                char c = id15.charAt(group * 5 + i);
                if (c >= 'A' && c <= 'Z') bits |= 1 << i;
            }
            out.append(SF_SUFFIX.charAt(bits));
        }
        return out.toString();
    }

    /**
     * One call per batch of {@link #BATCH} ids, at most {@link #MAX_PARALLEL} at once. Each answer is
     * reduced to its deals' shown facts in the task that fetched it, so no raw answer outlives its batch.
     * The first failure, or a cancellation of this call, interrupts the rest.
     */
    private static Map<String, Deal> fetch(ClariClient client, Map<String, String> asked, ToolContext ctx)
            throws ToolException, InterruptedException {
        List<String> ids = List.copyOf(asked.values());
        int batches = (ids.size() + BATCH - 1) / BATCH;
        Map<String, Deal> found = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(MAX_PARALLEL, batches), Thread.ofVirtual().factory());
        try {
            CompletionService<Integer> done = new ExecutorCompletionService<>(pool);
            for (int b = 0; b < batches; b++) {
                int index = b;
                List<String> batch = ids.subList(b * BATCH, Math.min(ids.size(), (b + 1) * BATCH));
                done.submit(() -> {
                    reduce(client.opportunities(batch), asked, found);
                    return index;
                });
            }
            for (int finished = 1; finished <= batches; finished++) {
                done.take().get();
                ctx.progress(finished, (double) batches, "Fetched " + finished + " of " + batches + " batches");
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ClariException c) throw new ToolException(c.getMessage());
            if (cause instanceof IllegalArgumentException i) throw new ToolException("Clari refused the request: " + i.getMessage());
            if (cause instanceof InterruptedException i) throw i;
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException("unexpected failure fetching opportunities", cause);
        } finally {
            pool.shutdownNow(); // interrupts calls still running after a failure or a cancellation
        }
        return found;
    }

    /**
     * The deals of one answer, a bare array [spec] or {"opportunities":[...]} [tap], under the key of
     * the id Clari gives; answers for ids nobody asked are ignored, and the first answer for a deal wins.
     */
    private static void reduce(Json answer, Map<String, String> asked, Map<String, Deal> found) {
        for (Json.Obj opp : Lenient.objects(answer, "opportunities", "items", "data")) {
            String clariId = Lenient.id(Lenient.first(opp, "id", "oppId"));
            if (clariId == null) continue;
            String key = key(clariId.strip());
            String id = asked.get(key);
            if (id != null && !found.containsKey(key)) found.put(key, Deal.of(id, opp)); // keys differ across batches
        }
    }
}
