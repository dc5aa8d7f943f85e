package clarimcp.tools;

import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariException;
import clarimcp.json.Json;
import clarimcp.mcp.Tool;
import clarimcp.tools.DealReport.Deal;
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
public final class GetDealRisk {
    /** What can be an id in any CRM we know of (trimmed first); nothing else is refused. */
    static final Pattern OPP_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    static final int MAX_IDS = 1000;
    /** Ids per Clari call: the opportunity endpoint's documented maxItems [spec]. */
    static final int BATCH = 100;
    /** Calls in flight at once: Clari is a low-throughput API, and a burst would only earn 429s. */
    static final int MAX_PARALLEL = 4;
    /** Salesforce's alphabet for the 3 checksum characters of an 18-character id. */
    private static final String SF_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    private static final Pattern SF_ID = Pattern.compile("[A-Za-z0-9]{15}([A-Za-z0-5]{3})?");
    private static final Pattern GUID = Pattern.compile("[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}");

    static Tool tool(Clari clari) {
        return tool(clari, Clock.systemUTC());
    }

    /** clock: "today", whose calendar quarter changed_since judges close dates against. */
    static Tool tool(Clari clari, Clock clock) {
        return Tools.tool("get_deal_risk", "Clari deal risk", "Clari CRM score (deal health 0-100; low = at risk), amount, stage, "
                + "close date, category, owner of given deals: totals per forecast category, riskiest first; optional filters; "
                + "changed_since lists slips and Commit moves. Clari cannot list deals: take ids from a CRM report or another tool.",
                INPUT, OUTPUT, Schema.READ_ONLY, (args, ctx) -> call(args, ctx, clari, clock));
    }

    /**
     * The arguments: up to 1000 ids (MAX_IDS), 20 categories (five standard ones, room for custom ones), amounts up
     * to a quadrillion (beyond any deal). JSON in a Java text block: every JSON backslash is written twice.
     */
    static final Json.Obj INPUT = Schema.parse("""
            {"type": "object", "required": ["opp_ids"], "additionalProperties": false, "properties": {
              "opp_ids": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"type": "string",
                  "pattern": "^\\\\s*[A-Za-z0-9_.:-]{1,64}\\\\s*$", "description": "an opportunity id: 1-64 letters, digits or - _ . : as in the CRM (e.g. 006Z000000EPuiyIAD)"},
                "description": "CRM opportunity ids as in the CRM: Salesforce 15 or 18 characters (006Z000000EPuiy, 006Z000000EPuiyIAD), GUIDs, numbers"},
              "forecast_category": {"type": "array", "minItems": 1, "maxItems": 20, "items": {"type": "string", "pattern": "\\\\S", "maxLength": 200},
                "description": "keep deals in these forecast categories, any case (e.g. ['Commit','Best Case']); with changed_since, also deals in them at that time"},
              "open_only": {"type": "boolean", "description": "drop closed deals: stage containing 'Closed' (Closed Won/Lost) or category Closed; Omitted alone is not closed. Default false"},
              "close_from": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "YYYY-MM-DD, inclusive"},
              "close_to": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "YYYY-MM-DD, inclusive"},
              "owner": {"type": "string", "pattern": "\\\\S", "maxLength": 200, "description": "owner's full name or email, any case"},
              "min_amount": {"type": "number", "minimum": 0, "maximum": 1000000000000000},
              "max_score": {"type": "number", "minimum": 0, "maximum": 100, "description": "keep CRM scores at or below this"},
              "changed_since": {"type": "string", "pattern": "%s", "description": "YYYY-MM-DD (UTC) or ISO date-time: list changes of stage, amount, close date and category since then, with slips and Commit moves"}}}""".formatted(Schema.DATE_OR_TIME));

    /** Compact: one array per row under named columns (an object per row doubled the JSON's size). */
    private static final Json.Obj OUTPUT = Schema.parse("""
            {"type": "object", "required": ["found", "matched", "totals", "rows", "more", "notFoundCount", "notFound", "notes"],
             "properties": {
              "found": {"type": "integer", "description": "deals Clari answered for"},
              "matched": {"type": "integer", "description": "deals passing the filters"},
              "totals": {"type": "object", "required": ["columns", "rows"], "properties": {
                "columns": {"type": "array", "items": {"type": "string"}}, "rows": {"type": "array", "items": {"type": "array"}}}},
              "columns": {"type": "array", "items": {"type": "string", "description": "absent when rows is empty"}},
              "rows": {"type": "array", "items": {"type": "array", "description": "one matching deal, lowest score first"}},
              "more": {"type": "integer", "description": "matching deals not listed"},
              "changes": {"type": "object", "required": ["columns", "rows", "more"], "properties": {
                "since": {"type": "string", "description": "absent: the latest change per field (then changes is absent without rows)"},
                "columns": {"type": "array", "items": {"type": "string"}}, "rows": {"type": "array", "items": {"type": "array"}},
                "more": {"type": "integer", "description": "change rows not listed"},
                "summary": {"type": "object", "required": ["columns", "rows"], "properties": {
                  "columns": {"type": "array", "items": {"type": "string"}}, "rows": {"type": "array", "items": {"type": "array"}}}},
                "netAmountChange": {"type": "number", "description": "over the deals with amount changes"},
                "amountChangedDeals": {"type": "integer"}}},
              "notFoundCount": {"type": "integer", "description": "ids Clari did not answer for; notFound lists the first 10"},
              "notFound": {"type": "array", "items": {"type": "string"}},
              "notes": {"type": "array", "items": {"type": "string", "description": "every NOTE line of the text"}}}}""");

    private static Tool.Result call(Json.Obj args, Tool.Context ctx, Clari clari, Clock clock)
            throws Tool.Failure, ClariException, InterruptedException {
        Map<String, String> asked = new LinkedHashMap<>(); // key -> the first id given for that deal
        for (String given : args.strings("opp_ids")) {
            String id = given.strip(); // the schema allowed spaces around (pasted ids); Clari gets the id alone
            asked.putIfAbsent(key(id), id);
        }
        List<String> categories = args.strings("forecast_category");
        LocalDate from = date(args, "close_from"), to = date(args, "close_to");
        if (from != null && to != null && from.isAfter(to)) throw new Tool.Failure("'close_from' must not be after 'close_to'");
        String owner = args.str("owner");
        Instant since = Schema.instant(args, "changed_since", false, null); // a date: the start of that UTC day
        DealReport.Filters filters = new DealReport.Filters(
                categories == null ? null : Set.copyOf(categories.stream().map(c -> c.strip().toLowerCase(Locale.ROOT)).toList()),
                args.bool("open_only", false), from, to, owner == null ? null : owner.strip().toLowerCase(Locale.ROOT),
                args.decimal("min_amount"), args.decimal("max_score"), since);
        Map<String, Deal> found = fetch(clari.client(ctx), asked, ctx);
        List<Deal> deals = new ArrayList<>();
        List<String> notFound = new ArrayList<>();
        asked.forEach((key, id) -> {
            Deal d = found.get(key);
            if (d == null) notFound.add(id);
            else deals.add(d);
        });
        return DealReport.render(deals, notFound, filters, args, LocalDate.now(clock.withZone(ZoneOffset.UTC)));
    }

    private static LocalDate date(Json.Obj args, String name) throws Tool.Failure {
        String v = args.str(name);
        try {
            return v == null ? null : LocalDate.parse(v);
        } catch (DateTimeParseException e) {
            throw new Tool.Failure("'" + name + "' must be a real date YYYY-MM-DD");
        }
    }

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
    private static Map<String, Deal> fetch(ClariClient client, Map<String, String> asked, Tool.Context ctx)
            throws Tool.Failure, ClariException, InterruptedException {
        List<String> ids = List.copyOf(asked.values());
        int batches = (ids.size() + BATCH - 1) / BATCH;
        Map<String, Deal> found = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(MAX_PARALLEL, batches), Thread.ofVirtual().factory());
        try {
            CompletionService<Void> done = new ExecutorCompletionService<>(pool);
            for (int b = 0; b < batches; b++) {
                List<String> batch = ids.subList(b * BATCH, Math.min(ids.size(), (b + 1) * BATCH));
                done.submit(() -> {
                    reduce(client.opportunities(batch), asked, found);
                    return null;
                });
            }
            for (int finished = 1; finished <= batches; finished++) {
                done.take().get();
                ctx.progress(finished, (double) batches, "Fetched " + finished + " of " + batches + " batches");
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ClariException c) throw c;
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
