package clarimcp.tools;

import clarimcp.clari.Sanitize;
import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import clarimcp.mcp.Tool;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Tool schemas written as JSON text, and the one validator that enforces an input schema before a handler runs
 * (Tools.tool runs it), so each argument is described once: in the schema the client sees. Checked: the subset
 * our schemas use (type, properties, required, additionalProperties false, items, minItems, maxItems, minimum,
 * maximum, pattern, maxLength). No coercion: "50" is not an integer, 1.5 is not an integer, a number is not a
 * string. An explicit JSON null counts as absent: models often send null for arguments they do not use.
 */
final class Schema {
    /** Every tool only reads Clari; results vary with Clari's data (open world) but calls change nothing. */
    static final Json.Obj READ_ONLY = Json.obj("readOnlyHint", true, "destructiveHint", false, "idempotentHint", true,
            "openWorldHint", true);
    /** A date (a whole UTC day) or an ISO date-time, with or without an offset (none means UTC). */
    static final String DATE_OR_TIME =
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$";
    /** Characters of a refused string quoted back: enough to recognise it, too few to flood the message. */
    private static final int MAX_QUOTED = 40;

    private Schema() {}

    /** A schema from its JSON text; text that does not parse is a bug in this source (tests parse every schema). */
    static Json.Obj parse(String json) {
        try {
            return (Json.Obj) JsonParser.parse(json);
        } catch (JsonException e) {
            throw new IllegalStateException("schema: " + e.getMessage(), e);
        }
    }

    /** Checks arguments against an object schema; the failure names the argument and what it should be. */
    static void check(Json.Obj schema, Json.Obj args) throws Tool.Failure {
        Json.Obj properties = schema.obj("properties");
        for (String name : args.members().keySet()) {
            if (properties.obj(name) == null) {
                throw new Tool.Failure("unknown argument '" + Sanitize.text(name) + (properties.members().isEmpty()
                        ? "': this tool takes no arguments"
                        : "'; expected one of: " + String.join(", ", new TreeSet<>(properties.members().keySet()))));
            }
        }
        List<String> required = schema.strings("required");
        for (String name : required == null ? List.<String>of() : required) {
            if (args.get(name) == null || args.get(name) instanceof Json.Null) {
                throw new Tool.Failure("missing required argument '" + name + "'");
            }
        }
        for (var m : args.members().entrySet()) {
            Json.Obj s = properties.obj(m.getKey());
            if (!(m.getValue() instanceof Json.Null)) value("'" + m.getKey() + "'", s, m.getValue(), s.str("description"));
        }
    }

    private static void value(String what, Json.Obj s, Json v, String description) throws Tool.Failure {
        String type = s.str("type");
        switch (type) {
            case "string" -> {
                if (!(v instanceof Json.Str str)) throw new Tool.Failure(what + " must be a string");
                String pattern = s.str("pattern");
                if (str.value().length() > s.integer("maxLength", Integer.MAX_VALUE)
                        || pattern != null && !Pattern.compile(pattern).matcher(str.value()).find()) {
                    throw new Tool.Failure(what + " " + quote(str.value()) + " is not valid: " + s.str("description", description));
                }
            }
            case "integer", "number" -> {
                // Bounded first: 1e400 must not overflow into range, nor 1e9999999999 or a million digits cost a thread.
                BigDecimal d = v instanceof Json.Num n ? Lenient.bounded(n) : null;
                BigDecimal min = s.decimal("minimum"), max = s.decimal("maximum");
                if (d == null || type.equals("integer") && d.signum() != 0 && d.stripTrailingZeros().scale() > 0
                        || min != null && d.compareTo(min) < 0 || max != null && d.compareTo(max) > 0) {
                    String range = min == null ? "" : max == null ? " of at least " + min : " from " + min + " to " + max;
                    throw new Tool.Failure(what + " must be " + (type.equals("integer") ? "an integer" : "a number") + range);
                }
            }
            case "boolean" -> {
                if (!(v instanceof Json.Bool)) throw new Tool.Failure(what + " must be true or false");
            }
            case "array" -> {
                String items = s.obj("items").str("type");
                if (!(v instanceof Json.Arr a)) throw new Tool.Failure(what + " must be an array of " + items + "s");
                int min = s.integer("minItems", 0), max = s.integer("maxItems", Integer.MAX_VALUE);
                if (a.size() < min || a.size() > max) {
                    throw new Tool.Failure(what + " must hold " + min + " to " + max + " items (got " + a.size() + ")");
                }
                for (int i = 0; i < a.size(); i++) value(what + "[" + i + "]", s.obj("items"), a.items().get(i), description);
            }
            default -> throw new IllegalStateException("schema type not checked: " + type);
        }
    }

    /** A refused value quoted back, cut and cleaned: it came from the model, perhaps from a prompt injection. */
    static String quote(String v) {
        return "\"" + Sanitize.text(v.length() > MAX_QUOTED ? v.substring(0, MAX_QUOTED) + "…" : v) + "\"";
    }

    /**
     * The argument (matching {@link #DATE_OR_TIME}) as an instant (see below), or dflt when absent; a date or time
     * that does not exist (2026-02-30, 25:00) fails naming the argument.
     */
    static Instant instant(Json.Obj args, String name, boolean endOfDay, Instant dflt) throws Tool.Failure {
        String s = args.str(name);
        try {
            return s == null ? dflt : instant(s, endOfDay);
        } catch (DateTimeParseException e) {
            throw new Tool.Failure("'" + name + "' is not a real date or time: " + s);
        }
    }

    /**
     * s (matching {@link #DATE_OR_TIME}) as an instant: a date is the start of its UTC day, or with endOfDay its
     * last millisecond; a date-time without an offset is UTC. Throws DateTimeParseException for no real date or
     * time (2026-02-30, 25:00).
     */
    static Instant instant(String s, boolean endOfDay) {
        if (s.length() == 10) {
            LocalDate d = LocalDate.parse(s);
            return endOfDay ? d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1) : d.atStartOfDay(ZoneOffset.UTC).toInstant();
        }
        boolean offset = s.endsWith("Z") || s.charAt(s.length() - 6) == '+' || s.charAt(s.length() - 6) == '-';
        return offset ? OffsetDateTime.parse(s).toInstant() : LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
    }
}
