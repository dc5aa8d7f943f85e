package clarimcp.tools;

import clarimcp.clari.Sanitize;
import clarimcp.json.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One opportunity as get_deal_risk uses it, reduced from Clari's answer [spec]: {@code {id, crmScore:{score,
 * message}, fields:[{id, alias, value, originalValue, trendHistory:[{oldValue, newValue, date (epoch ms)}]}]}}.
 * Only the shown facts are kept, nothing of the answer tree. Field ids other than {@code opportunity.amount}
 * are not published, so fields are recognised by id suffix or alias ({@link Field}), and values read leniently.
 */
record Deal(String id, String name, BigDecimal score, String message, BigDecimal amount, Map<Field, String> values,
            Set<String> ownerKeys, List<Change> changes) {

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

    /**
     * One entry of a field's trendHistory [spec]: {@code at} is null when its date is unreadable; the numbers
     * are set for amounts only (for the net change).
     */
    record Change(Field field, Instant at, String date, String oldValue, String newValue, BigDecimal oldNumber, BigDecimal newNumber) {}

    static Deal of(String id, Json.Obj opp) {
        Json crm = opp.get("crmScore");
        BigDecimal score = Lenient.number(crm instanceof Json.Obj o ? o.get("score") : crm);
        String message = crm instanceof Json.Obj o ? Lenient.text(o.get("message")) : null;
        Map<Field, String> values = new EnumMap<>(Field.class);
        BigDecimal amount = null;
        Set<String> ownerKeys = new HashSet<>();
        List<Change> changes = new ArrayList<>();
        for (Json.Obj f : Lenient.objects(opp.get("fields"))) {
            Field k = Field.of(f);
            if (k == null || values.containsKey(k)) continue;
            Json value = f.get("value") != null ? f.get("value") : f.get("originalValue");
            if (k == Field.AMOUNT) amount = Lenient.number(value);
            if (k == Field.OWNER) ownerKeys = ownerKeys(value);
            String shown = show(k, value);
            if (shown != null) values.put(k, shown);
            for (Json.Obj h : Lenient.objects(f.get("trendHistory"))) {
                BigDecimal ms = Lenient.number(h.get("date"));
                Instant at = null;
                try {
                    if (ms != null) at = Instant.ofEpochMilli(ms.longValue());
                } catch (java.time.DateTimeException e) {
                    at = null; // out of Instant's range: reported as undated, never as a date
                }
                boolean money = k == Field.AMOUNT;
                changes.add(new Change(k, at, at == null ? null : Lenient.date(h.get("date")), show(k, h.get("oldValue")),
                        show(k, h.get("newValue")), money ? Lenient.number(h.get("oldValue")) : null,
                        money ? Lenient.number(h.get("newValue")) : null));
            }
        }
        // Oldest first; undated last (Clari's order is not published).
        changes.sort(Comparator.comparing(Change::at, Comparator.nullsLast(Comparator.naturalOrder())));
        String name = values.containsKey(Field.NAME) ? values.get(Field.NAME) : Lenient.text(opp.get("name"));
        return new Deal(Sanitize.text(id), name, score, message, amount, values, Set.copyOf(ownerKeys), List.copyOf(changes));
    }

    /**
     * What an owner filter may match, lower case: the shown value and every string member of an owner object
     * (the sandbox's {value, id} is a guess; a real answer may carry name or email: both are accepted).
     */
    private static Set<String> ownerKeys(Json value) {
        Set<String> keys = new HashSet<>();
        String shown = Lenient.text(value);
        if (shown != null) keys.add(shown.strip().toLowerCase(Locale.ROOT));
        if (value instanceof Json.Obj o) {
            o.members().values().forEach(v -> {
                if (v instanceof Json.Str s) keys.add(s.value().strip().toLowerCase(Locale.ROOT));
            });
        }
        return keys;
    }

    /** A value as shown: amounts as money, close dates in epoch ms as ISO dates, the rest as text. */
    static String show(Field k, Json v) {
        return switch (k) {
            case AMOUNT -> Lenient.number(v) != null ? Text.money(Lenient.number(v)) : Lenient.text(v);
            case CLOSE_DATE -> Lenient.date(v);
            default -> Lenient.text(v);
        };
    }

    String value(Field k) {
        return values.get(k);
    }

    /** The close date, or null when absent or not an ISO date (or date-time: its first 10 characters). */
    LocalDate closeDate() {
        return date(values.get(Field.CLOSE_DATE));
    }

    static LocalDate date(String shown) {
        if (shown == null || shown.length() < 10) return null;
        try {
            return LocalDate.parse(shown.substring(0, 10));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * Closed: a stage containing "closed" (Salesforce's Closed Won / Closed Lost; renamed closed stages are
     * not recognised) or forecast category Closed. Omitted alone is not closed: open deals can be omitted.
     * Null when neither field is known.
     */
    Boolean closed() {
        String stage = values.get(Field.STAGE);
        String category = values.get(Field.FORECAST_CATEGORY);
        if (stage == null && category == null) return null;
        return stage != null && stage.toLowerCase(Locale.ROOT).contains("closed")
                || category != null && category.strip().equalsIgnoreCase("closed");
    }
}
