package clarimcp.tools;

import clarimcp.clari.Sanitize;
import clarimcp.json.Json;
import clarimcp.mcp.ToolException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Strict extraction of tool arguments. Every failure is a {@link ToolException} naming the
 * argument, so the model sees what to fix. No coercion: "50" is not an integer, 1.5 is not an
 * integer, a number is not a string. An explicit JSON null counts as absent, since models often
 * send null for optional arguments they do not use.
 */
final class Args {
    /** A date (a whole UTC day) or an ISO date-time, with or without an offset (none means UTC). */
    static final Pattern DATE_OR_TIME =
            Pattern.compile("^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})?)?$");

    private final Json.Obj args;

    /** Rejects argument names outside {@code allowed} (a typo should fail, not be ignored). */
    Args(Json.Obj args, Set<String> allowed) throws ToolException {
        this.args = args;
        for (String name : args.members().keySet()) {
            if (!allowed.contains(name)) {
                throw new ToolException("unknown argument '" + Sanitize.text(name) + "'; expected one of: "
                        + String.join(", ", new TreeSet<>(allowed)));
            }
        }
    }

    /** A required string matching pattern; {@code shape} says what it should look like. */
    String requiredString(String name, Pattern pattern, String shape) throws ToolException {
        String v = optionalString(name, pattern, shape);
        if (v == null) throw new ToolException("missing required argument '" + name + "'");
        return v;
    }

    /** An optional string matching pattern, or null when absent. */
    String optionalString(String name, Pattern pattern, String shape) throws ToolException {
        Json v = present(name);
        if (v == null) return null;
        if (!(v instanceof Json.Str s)) throw new ToolException("'" + name + "' must be a string (" + shape + ")");
        if (!pattern.matcher(s.value()).matches()) throw new ToolException("'" + name + "' must be " + shape);
        return s.value();
    }

    /** An optional integer in [min, max], or {@code dflt} when absent. */
    int optionalInt(String name, int min, int max, int dflt) throws ToolException {
        Json v = present(name);
        if (v == null) return dflt;
        String problem = "'" + name + "' must be an integer from " + min + " to " + max;
        // Bounded first: 1e400 must not overflow into range, nor 1e9999999999 or a million digits cost a thread.
        BigDecimal d = v instanceof Json.Num n ? Lenient.bounded(n) : null;
        if (d == null || (d.signum() != 0 && d.stripTrailingZeros().scale() > 0)) throw new ToolException(problem);
        if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new ToolException(problem);
        }
        return d.intValueExact();
    }

    /** A required array of minItems..maxItems strings, each matching pattern. */
    List<String> requiredStrings(String name, int minItems, int maxItems, Pattern pattern, String shape)
            throws ToolException {
        Json v = present(name);
        if (v == null) throw new ToolException("missing required argument '" + name + "'");
        if (!(v instanceof Json.Arr arr)) throw new ToolException("'" + name + "' must be an array of strings");
        if (arr.size() < minItems || arr.size() > maxItems) {
            throw new ToolException("'" + name + "' must hold " + minItems + " to " + maxItems + " items (got " + arr.size() + ")");
        }
        List<String> out = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
            if (!(arr.items().get(i) instanceof Json.Str s) || !pattern.matcher(s.value()).matches()) {
                throw new ToolException("'" + name + "'[" + i + "] must be " + shape);
            }
            out.add(s.value());
        }
        return out;
    }

    /** An optional boolean, or {@code dflt} when absent. */
    boolean optionalBoolean(String name, boolean dflt) throws ToolException {
        Json v = present(name);
        if (v == null) return dflt;
        if (!(v instanceof Json.Bool b)) throw new ToolException("'" + name + "' must be true or false");
        return b.value();
    }

    /** An optional number in [min, max], or null when absent. */
    BigDecimal optionalNumber(String name, BigDecimal min, BigDecimal max) throws ToolException {
        Json v = present(name);
        if (v == null) return null;
        BigDecimal d = v instanceof Json.Num n ? Lenient.bounded(n) : null; // bounded: see optionalInt
        if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new ToolException("'" + name + "' must be a number from " + min.toPlainString() + " to " + max.toPlainString());
        }
        return d;
    }

    /** An optional array of 1..maxItems strings, each matching pattern, or null when absent. */
    List<String> optionalStrings(String name, int maxItems, Pattern pattern, String shape) throws ToolException {
        return present(name) == null ? null : requiredStrings(name, 1, maxItems, pattern, shape);
    }

    private Json present(String name) {
        Json v = args.get(name);
        return v instanceof Json.Null ? null : v;
    }

    /**
     * s (matching {@link #DATE_OR_TIME}) as an instant: a date is the start of its UTC day, or with endOfDay its
     * last millisecond; a date-time without an offset is UTC. Throws DateTimeParseException for no real date or
     * time (2026-02-30, 25:00), which each tool words for its argument.
     */
    static Instant instant(String s, boolean endOfDay) {
        String t = s;
        if (t.length() == 10) {
            LocalDate d = LocalDate.parse(t);
            return endOfDay ? d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1) : d.atStartOfDay(ZoneOffset.UTC).toInstant();
        }
        boolean offset = t.endsWith("Z") || t.charAt(t.length() - 6) == '+' || t.charAt(t.length() - 6) == '-';
        return offset ? OffsetDateTime.parse(t).toInstant() : LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
    }
}
