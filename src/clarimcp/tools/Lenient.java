package clarimcp.tools;

import clarimcp.clari.Sanitize;
import clarimcp.json.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Tolerant readers for Clari answers. The public reference and production code disagree on
 * shapes (a value may be a number, a numeric string or an object holding it; a list may sit under
 * one of several keys), so tools read through these helpers and never fail on a shape surprise:
 * an unreadable value is simply absent. Display strings come back sanitized.
 */
final class Lenient {
    /** Object keys that hold the displayable part of a value object, most specific first. */
    private static final List<String> VALUE_KEYS = List.of("displayValue", "name", "value", "amount", "label");
    /** How deep a value object may wrap its value ({"value":{"amount":1}}); deeper is unreadable. */
    private static final int MAX_WRAP = 3;
    private static final Pattern NUMERIC = Pattern.compile("-?\\d{1,30}(\\.\\d{1,20})?");
    /** Longest JSON number text read: 30 digits, 20 decimals, sign, point and an exponent fit well within it. */
    private static final int MAX_NUMBER_CHARS = 64;

    private Lenient() {}

    /** A number from a JSON number, a numeric string, or an object wrapping one; else null. */
    static BigDecimal number(Json v) {
        return number(v, 0);
    }

    private static BigDecimal number(Json v, int depth) {
        if (v instanceof Json.Num n) return bounded(n);
        if (v instanceof Json.Str s) return NUMERIC.matcher(s.value().strip()).matches() ? new BigDecimal(s.value().strip()) : null;
        if (v instanceof Json.Obj o && depth < MAX_WRAP) {
            for (String k : List.of("value", "amount", "score")) {
                BigDecimal d = number(o.get(k), depth + 1);
                if (d != null) return d;
            }
        }
        return null; // absent, null, booleans, arrays, or wrapped too deep
    }

    /**
     * The value of a JSON number within the bounds numeric strings have (30 integer digits, 20 decimals),
     * else null. An exponent like 1e999999999 takes gigabytes to print or add, 1e9999999999 does not fit
     * BigDecimal at all, and parsing is quadratic in the digits: no amount, score or time looks like that.
     */
    static BigDecimal bounded(Json.Num n) {
        if (n.text().length() > MAX_NUMBER_CHARS) return null;
        try {
            BigDecimal d = n.decimal();
            return d.precision() - d.scale() <= 30 && d.scale() <= 20 ? d : null;
        } catch (NumberFormatException exponentOverflow) {
            return null;
        }
    }

    /** Sanitized display text of a scalar or value object; null when absent or unreadable. */
    static String text(Json v) {
        return Sanitize.text(raw(v, 0));
    }

    private static String raw(Json v, int depth) {
        if (v instanceof Json.Str || v instanceof Json.Num) return id(v);
        if (v instanceof Json.Bool b) return Boolean.toString(b.value());
        if (v instanceof Json.Obj o && depth < MAX_WRAP) {
            for (String k : VALUE_KEYS) {
                String s = raw(o.get(k), depth + 1);
                if (s != null) return s;
            }
        }
        return null; // absent, null, arrays, or wrapped too deep
    }

    /** An identifier (string or number) exactly as sent, for joining lists; null otherwise. */
    static String id(Json v) {
        return v instanceof Json.Str s ? s.value() : v instanceof Json.Num n ? n.text() : null;
    }

    /** The first member of o among keys that is present, or null. */
    static Json first(Json.Obj o, String... keys) {
        for (String k : keys) {
            Json v = o.get(k);
            if (v != null && !(v instanceof Json.Null)) return v;
        }
        return null;
    }

    /** The objects of the first array found under keys (or v itself when it is an array). */
    static List<Json.Obj> objects(Json v, String... keys) {
        Json.Arr arr = v instanceof Json.Arr a ? a : null;
        if (v instanceof Json.Obj o) {
            for (String k : keys) if (arr == null) arr = o.arr(k);
        }
        if (arr == null) return List.of();
        return arr.items().stream().filter(Json.Obj.class::isInstance).map(Json.Obj.class::cast).toList();
    }

    /** ISO date (UTC) of an epoch-milliseconds value, or the sanitized text when not a number. */
    static String date(Json v) {
        BigDecimal ms = number(v); // every long of milliseconds is within Instant's (and LocalDate's) range
        return ms != null ? LocalDate.ofInstant(Instant.ofEpochMilli(ms.longValue()), ZoneOffset.UTC).toString() : text(v);
    }
}
