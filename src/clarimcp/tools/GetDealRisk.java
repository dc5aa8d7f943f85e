package clarimcp.tools;

import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariException;
import clarimcp.json.Json;
import clarimcp.mcp.Tool;
import clarimcp.mcp.ToolContext;
import clarimcp.mcp.ToolException;
import clarimcp.mcp.ToolResult;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
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
 * get_deal_risk: Clari's CRM score and key fields of opportunities, each field with its latest
 * change. Clari's CRM score is a deal-health score (0-100): <em>low</em> means at risk, so the
 * text lists the lowest score first (unscored deals last); structuredContent keeps the caller's order.
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
    /** Deals in the text (the riskiest); a table of 1000 would blow the text cap. structuredContent has all. */
    static final int MAX_TEXT_DEALS = 100;
    /** Unknown ids listed back (text and structuredContent alike); the rest are counted: 1,000 typos need no echo. */
    static final int MAX_LISTED_UNKNOWN = 10;
    /** Characters of a refused id quoted back: enough to recognise it, too few to flood the message. */
    private static final int MAX_QUOTED = 40;
    /** Salesforce's alphabet for the 3 checksum characters of an 18-character id. */
    private static final String SF_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    private static final Pattern SF_ID = Pattern.compile("[A-Za-z0-9]{15}([A-Za-z0-5]{3})?");
    /** Args checks only that each item is a string; the id check trims first and names the bad id. */
    private static final Pattern ANY = Pattern.compile("(?s).*");
    private static final Pattern GUID = Pattern.compile("[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}");

    private final ClariAccess clari;

    public GetDealRisk(ClariAccess clari) {
        this.clari = clari;
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
        return "Clari CRM score (deal health 0-100; low = at risk) with its reason, amount, stage, close date, category, "
                + "owner and each one's latest change, lowest score first. Clari cannot list deals: take ids from a CRM "
                + "report or URL, or another tool (e.g. a Salesforce MCP server).";
    }

    @Override
    public Json.Obj inputSchema() {
        Json.Obj ids = Json.Obj.builder().put("type", "array")
                .put("items", Json.Obj.builder().put("type", "string").put("pattern", "^\\s*" + OPP_ID.pattern() + "\\s*$").build())
                .put("minItems", 1).put("maxItems", MAX_IDS)
                .put("description", "CRM opportunity ids as in the CRM: Salesforce 15 or 18 characters (006Z000000EPuiy, "
                        + "006Z000000EPuiyIAD), GUIDs, numbers").build();
        return Schema.object(true, Schema.props().put("opp_ids", ids).build(), "opp_ids");
    }

    @Override
    public Json.Obj outputSchema() {
        Json.Obj str = Schema.type("string");
        Json.Obj change = Schema.object(false, Schema.props()
                .put("field", str).put("date", str).put("oldValue", str).put("newValue", str).build(), "field");
        Json.Obj deal = Schema.object(false, Schema.props()
                .put("id", Schema.type("string", "the id as the caller gave it"))
                .put("name", str)
                .put("score", Schema.type("number", "Clari CRM score; low = at risk"))
                .put("scoreMessage", str)
                .put("amount", Schema.type("number")).put("stage", str).put("closeDate", str)
                .put("forecastCategory", str).put("owner", str)
                .put("latestChanges", Schema.array(change))
                .build(), "id", "latestChanges");
        return Schema.object(false, Schema.props()
                .put("deals", Schema.array(deal))
                .put("notFoundCount", Schema.type("integer", "ids Clari did not answer for; notFound lists the first " + MAX_LISTED_UNKNOWN))
                .put("notFound", Schema.array(str))
                .build(), "deals", "notFoundCount", "notFound");
    }

    @Override
    public Json.Obj annotations() {
        return Schema.READ_ONLY;
    }

    @Override
    public ToolResult call(Json.Obj arguments, ToolContext ctx) throws ToolException, InterruptedException {
        Args args = new Args(arguments, Set.of("opp_ids"));
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
        ClariClient client = clari.client(ctx);
        Map<String, Deal> found = fetch(client, asked, ctx);
        List<Deal> deals = new ArrayList<>();
        List<String> notFound = new ArrayList<>();
        asked.forEach((key, id) -> {
            Deal d = found.get(key);
            if (d == null) notFound.add(id);
            else deals.add(d);
        });
        return render(deals, notFound);
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

    /** The fields shown: the label they are shown under, and the spellings accepted (compared without case or punctuation). */
    enum Field {
        NAME("name", "name", "opportunityname"),
        AMOUNT("amount", "amount"),
        STAGE("stage", "stage", "stagename"),
        CLOSE_DATE("closeDate", "closedate"),
        FORECAST_CATEGORY("forecastCategory", "forecastcategory", "forecastcategoryname"),
        OWNER("owner", "owner", "ownername", "opportunityowner");

        final String label;
        final Set<String> spellings;

        Field(String label, String... spellings) {
            this.label = label;
            this.spellings = Set.of(spellings);
        }

        /** The field an entry of opp.fields is, matched by id suffix (opportunity.closeDate) or alias; else null. */
        static Field of(Json.Obj f) {
            String id = Lenient.id(f.get("id"));
            String alias = Lenient.id(f.get("alias"));
            for (Field k : values()) {
                if (id != null && k.spellings.contains(norm(id.substring(id.lastIndexOf('.') + 1)))) return k;
                if (alias != null && k.spellings.contains(norm(alias))) return k;
            }
            return null;
        }

        private static String norm(String s) {
            return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        }
    }

    record Change(String field, String date, String oldValue, String newValue) {}

    /** One deal as rendered: only the shown facts, nothing of Clari's answer tree. */
    record Deal(String id, String name, BigDecimal score, String message, BigDecimal amount,
                Map<Field, String> values, List<Change> changes) {
        static Deal of(String id, Json.Obj opp) {
            Json crm = opp.get("crmScore");
            BigDecimal score = Lenient.number(crm instanceof Json.Obj o ? o.get("score") : crm);
            String message = crm instanceof Json.Obj o ? Lenient.text(o.get("message")) : null;
            Map<Field, String> values = new EnumMap<>(Field.class);
            BigDecimal amount = null;
            List<Change> changes = new ArrayList<>();
            for (Json.Obj f : Lenient.objects(opp.get("fields"))) {
                Field k = Field.of(f);
                if (k == null || values.containsKey(k)) continue;
                Json value = f.get("value") != null ? f.get("value") : f.get("originalValue");
                if (k == Field.AMOUNT) amount = Lenient.number(value);
                String shown = show(k, value);
                if (shown != null) values.put(k, shown);
                Json.Obj latest = null;
                BigDecimal latestDate = null;
                for (Json.Obj h : Lenient.objects(f.get("trendHistory"))) {
                    BigDecimal d = Lenient.number(h.get("date"));
                    if (d != null && (latestDate == null || d.compareTo(latestDate) > 0)) {
                        latest = h;
                        latestDate = d;
                    }
                }
                if (latest != null) {
                    changes.add(new Change(k.label, Lenient.date(latest.get("date")),
                            show(k, latest.get("oldValue")), show(k, latest.get("newValue"))));
                }
            }
            String name = values.containsKey(Field.NAME) ? values.get(Field.NAME) : Lenient.text(opp.get("name"));
            return new Deal(Sanitize.text(id), name, score, message, amount, values, List.copyOf(changes));
        }

        String value(Field k) {
            return values.get(k);
        }
    }

    /** A value as shown: amounts as money, close dates in epoch ms as ISO dates, the rest as text. */
    static String show(Field k, Json v) {
        return switch (k) {
            case AMOUNT -> Lenient.number(v) != null ? Text.money(Lenient.number(v)) : Lenient.text(v);
            case CLOSE_DATE -> Lenient.date(v);
            default -> Lenient.text(v);
        };
    }

    private static ToolResult render(List<Deal> deals, List<String> notFound) {
        List<Deal> byRisk = new ArrayList<>(deals); // stable: equal scores keep the caller's order
        byRisk.sort(Comparator.comparing(Deal::score, Comparator.nullsLast(Comparator.naturalOrder())));
        List<Deal> shown = byRisk.subList(0, Math.min(MAX_TEXT_DEALS, byRisk.size()));
        StringBuilder out = new StringBuilder();
        out.append(deals.size()).append(" deal(s), sorted by Clari CRM score (deal health; low = at risk), lowest first");
        if (shown.size() < deals.size()) {
            out.append("; showing the ").append(shown.size()).append(" lowest, structuredContent has all");
        }
        out.append('\n');
        List<String> listed = notFound.subList(0, Math.min(MAX_LISTED_UNKNOWN, notFound.size()));
        if (!notFound.isEmpty()) {
            out.append("Not found in Clari (").append(notFound.size()).append("): ").append(String.join(", ", listed))
                    .append(listed.size() < notFound.size() ? ", … (first " + listed.size() + " listed)" : "").append('\n');
        }
        List<List<String>> rows = new ArrayList<>();
        for (Deal d : shown) {
            rows.add(List.of(d.score() == null ? "-" : d.score().toPlainString(), d.id(), or(d.name()),
                    or(d.value(Field.AMOUNT)), or(d.value(Field.STAGE)), or(d.value(Field.CLOSE_DATE)),
                    or(d.value(Field.FORECAST_CATEGORY)), or(d.value(Field.OWNER)), or(d.message())));
        }
        if (!rows.isEmpty()) {
            out.append(Text.table(List.of("Score", "Id", "Name", "Amount", "Stage", "Close", "Category", "Owner", "Reason"), rows));
            StringBuilder changes = new StringBuilder();
            for (Deal d : shown) {
                for (Change c : d.changes()) {
                    changes.append(d.id()).append("  ").append(c.field()).append("  ").append(or(c.date())).append(": ")
                            .append(or(c.oldValue())).append(" -> ").append(or(c.newValue())).append('\n');
                }
            }
            if (!changes.isEmpty()) out.append("Latest change per field:\n").append(changes);
        }
        List<Json> list = new ArrayList<>();
        for (Deal d : deals) {
            Json.Builder b = Json.Obj.builder().put("id", d.id()).putIfPresent("name", d.name());
            if (d.score() != null) b.put("score", new Json.Num(d.score().toPlainString()));
            b.putIfPresent("scoreMessage", d.message());
            if (d.amount() != null) b.put("amount", new Json.Num(d.amount().toPlainString()));
            b.putIfPresent("stage", d.value(Field.STAGE)).putIfPresent("closeDate", d.value(Field.CLOSE_DATE))
                    .putIfPresent("forecastCategory", d.value(Field.FORECAST_CATEGORY)).putIfPresent("owner", d.value(Field.OWNER));
            List<Json> changes = new ArrayList<>();
            for (Change c : d.changes()) {
                changes.add(Json.Obj.builder().put("field", c.field()).putIfPresent("date", c.date())
                        .putIfPresent("oldValue", c.oldValue()).putIfPresent("newValue", c.newValue()).build());
            }
            list.add(b.put("latestChanges", new Json.Arr(changes)).build());
        }
        Json.Obj structured = Json.Obj.builder().put("deals", new Json.Arr(list)).put("notFoundCount", notFound.size())
                .put("notFound", Json.Arr.ofStrings(listed)).build();
        return ToolResult.ok(Text.cap(out.toString(), "pass fewer opp_ids"), structured);
    }

    private static String or(String s) {
        return s == null ? "-" : s;
    }
}
