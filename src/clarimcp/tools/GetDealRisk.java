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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * get_deal_risk: Clari's CRM score and key fields of opportunities, each field with its latest
 * change. Clari's CRM score is a deal-health score (0-100): <em>low</em> means at risk, so the
 * text lists the lowest score first (unscored deals last); structuredContent keeps the caller's order.
 */
public final class GetDealRisk implements Tool {
    /** Salesforce-style ids (15/18 characters) and similar CRM ids; nothing that could steer a URL. */
    static final Pattern OPP_ID = Pattern.compile("^[A-Za-z0-9]{1,40}$");
    static final int MAX_IDS = 1000;
    /** Ids per Clari call: the opportunity endpoint's limit. */
    static final int BATCH = 100;
    /** Calls in flight at once: Clari is a low-throughput API, and a burst would only earn 429s. */
    static final int MAX_PARALLEL = 4;
    /** Deals in the text (the riskiest); a table of 1000 would blow the text cap. structuredContent has all. */
    static final int MAX_TEXT_DEALS = 100;

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
        return "Clari CRM score (deal health 0-100; low = at risk) with its reason, plus amount, stage, close date, "
                + "forecast category and owner with each one's latest change, for up to 1000 opportunity ids. "
                + "Listed lowest score first.";
    }

    @Override
    public Json.Obj inputSchema() {
        Json.Obj ids = Json.Obj.builder().put("type", "array")
                .put("items", Json.Obj.builder().put("type", "string").put("pattern", OPP_ID.pattern()).build())
                .put("minItems", 1).put("maxItems", MAX_IDS)
                .put("description", "CRM opportunity ids, e.g. 006Z000000EPuiyIAD").build();
        return Schema.object(true, Schema.props().put("opp_ids", ids).build(), "opp_ids");
    }

    @Override
    public Json.Obj outputSchema() {
        Json.Obj str = Schema.type("string");
        Json.Obj change = Schema.object(false, Schema.props()
                .put("field", str).put("date", str).put("oldValue", str).put("newValue", str).build(), "field");
        Json.Obj deal = Schema.object(false, Schema.props()
                .put("id", str).put("name", str)
                .put("score", Schema.type("number", "Clari CRM score; low = at risk"))
                .put("scoreMessage", str)
                .put("amount", Schema.type("number")).put("stage", str).put("closeDate", str)
                .put("forecastCategory", str).put("owner", str)
                .put("latestChanges", Schema.array(change))
                .build(), "id", "latestChanges");
        return Schema.object(false, Schema.props()
                .put("deals", Schema.array(deal))
                .put("notFound", Schema.array(str))
                .build(), "deals", "notFound");
    }

    @Override
    public Json.Obj annotations() {
        return Schema.READ_ONLY;
    }

    @Override
    public ToolResult call(Json.Obj arguments, ToolContext ctx) throws ToolException, InterruptedException {
        Args args = new Args(arguments, Set.of("opp_ids"));
        List<String> ids = List.copyOf(new LinkedHashSet<>(
                args.requiredStrings("opp_ids", 1, MAX_IDS, OPP_ID, "an opportunity id (1-40 letters or digits)")));
        ClariClient client = clari.client(ctx);
        Map<String, Json.Obj> byId = new HashMap<>();
        for (Json answer : fetch(client, ids, ctx)) {
            for (Json.Obj opp : Lenient.objects(answer, "opportunities", "items", "data")) {
                String id = Lenient.id(Lenient.first(opp, "id", "oppId"));
                if (id != null) byId.putIfAbsent(id, opp);
            }
        }
        List<Deal> deals = new ArrayList<>();
        List<String> notFound = new ArrayList<>();
        for (String id : ids) {
            Json.Obj opp = byId.get(id);
            if (opp == null) notFound.add(id);
            else deals.add(Deal.of(id, opp));
        }
        return render(deals, notFound);
    }

    /**
     * One call per batch of {@link #BATCH} ids, at most {@link #MAX_PARALLEL} at once, answers in
     * batch order. The first failure, or a cancellation of this call, interrupts the rest.
     */
    private static List<Json> fetch(ClariClient client, List<String> ids, ToolContext ctx)
            throws ToolException, InterruptedException {
        int batches = (ids.size() + BATCH - 1) / BATCH;
        Json[] answers = new Json[batches];
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(MAX_PARALLEL, batches), Thread.ofVirtual().factory());
        try {
            CompletionService<Integer> done = new ExecutorCompletionService<>(pool);
            for (int b = 0; b < batches; b++) {
                int index = b;
                List<String> batch = ids.subList(b * BATCH, Math.min(ids.size(), (b + 1) * BATCH));
                done.submit(() -> {
                    answers[index] = client.opportunities(batch);
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
        return List.of(answers);
    }

    /** Keys of the fields shown, each with the spellings accepted (compared without case or punctuation). */
    enum Field {
        NAME("name", "opportunityname"),
        AMOUNT("amount"),
        STAGE("stage", "stagename"),
        CLOSE_DATE("closedate"),
        FORECAST_CATEGORY("forecastcategory", "forecastcategoryname"),
        OWNER("owner", "ownername", "opportunityowner");

        final Set<String> spellings;

        Field(String... spellings) {
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
            return s.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
        }
    }

    record Change(String field, String date, String oldValue, String newValue) {}

    record Deal(String id, String name, BigDecimal score, String message, Map<Field, Json> values, List<Change> changes) {
        static Deal of(String id, Json.Obj opp) {
            Json crm = opp.get("crmScore");
            BigDecimal score = Lenient.number(crm instanceof Json.Obj o ? o.get("score") : crm);
            String message = crm instanceof Json.Obj o ? Lenient.text(o.get("message")) : null;
            Map<Field, Json> values = new java.util.EnumMap<>(Field.class);
            List<Change> changes = new ArrayList<>();
            for (Json.Obj f : Lenient.objects(opp.get("fields"))) {
                Field k = Field.of(f);
                if (k == null || values.containsKey(k)) continue;
                values.put(k, f.get("value") != null ? f.get("value") : f.get("originalValue"));
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
                    changes.add(new Change(label(k), Lenient.date(latest.get("date")),
                            show(k, latest.get("oldValue")), show(k, latest.get("newValue"))));
                }
            }
            String name = values.containsKey(Field.NAME) ? Lenient.text(values.get(Field.NAME)) : Lenient.text(opp.get("name"));
            return new Deal(Sanitize.text(id), name, score, message, values, changes);
        }

        String value(Field k) {
            return values.containsKey(k) ? show(k, values.get(k)) : null;
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

    private static String label(Field k) {
        return switch (k) {
            case NAME -> "name";
            case AMOUNT -> "amount";
            case STAGE -> "stage";
            case CLOSE_DATE -> "closeDate";
            case FORECAST_CATEGORY -> "forecastCategory";
            case OWNER -> "owner";
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
        if (!notFound.isEmpty()) {
            out.append("Not found in Clari (").append(notFound.size()).append("): ").append(String.join(", ", notFound)).append('\n');
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
            BigDecimal amount = d.values().containsKey(Field.AMOUNT) ? Lenient.number(d.values().get(Field.AMOUNT)) : null;
            if (amount != null) b.put("amount", new Json.Num(amount.toPlainString()));
            b.putIfPresent("stage", d.value(Field.STAGE)).putIfPresent("closeDate", d.value(Field.CLOSE_DATE))
                    .putIfPresent("forecastCategory", d.value(Field.FORECAST_CATEGORY)).putIfPresent("owner", d.value(Field.OWNER));
            List<Json> changes = new ArrayList<>();
            for (Change c : d.changes()) {
                changes.add(Json.Obj.builder().put("field", c.field()).putIfPresent("date", c.date())
                        .putIfPresent("oldValue", c.oldValue()).putIfPresent("newValue", c.newValue()).build());
            }
            list.add(b.put("latestChanges", new Json.Arr(changes)).build());
        }
        Json.Obj structured = Json.Obj.builder().put("deals", new Json.Arr(list)).put("notFound", Json.Arr.ofStrings(notFound)).build();
        return ToolResult.ok(Text.cap(out.toString(), "pass fewer opp_ids"), structured);
    }

    private static String or(String s) {
        return s == null ? "-" : s;
    }
}
