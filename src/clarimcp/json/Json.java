package clarimcp.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The JSON value model (RFC 8259): a sealed interface whose six cases are records, so a
 * {@code switch} over a value needs no {@code default} and the compiler proves every case is
 * handled. Values are immutable; objects keep their members in insertion order.
 */
public sealed interface Json permits Json.Obj, Json.Arr, Json.Str, Json.Num, Json.Bool, Json.Null {

    /** An object; member order is insertion order, keys are unique (the parser rejects duplicates). */
    record Obj(Map<String, Json> members) implements Json {
        public static final Obj EMPTY = new Obj(Map.of());

        public Obj {
            // The parser's members are immutable already: copying them would double a parsed export's garbage.
            if (!(members instanceof JsonParser.Members)) members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
        }

        /** The member's value, or null when absent. */
        public Json get(String key) {
            return members.get(key);
        }

        public boolean has(String key) {
            return members.containsKey(key);
        }

        /** The member as an object, or null when absent or of another type. */
        public Obj obj(String key) {
            return members.get(key) instanceof Obj o ? o : null;
        }

        /** The member as an array, or null when absent or of another type. */
        public Arr arr(String key) {
            return members.get(key) instanceof Arr a ? a : null;
        }

        /** The member as a string, or null when absent or of another type. */
        public String str(String key) {
            return members.get(key) instanceof Str s ? s.value() : null;
        }

        // Typed reads with defaults (minimal-json's style), for values already checked against a schema: absent,
        // null or of another type gives the default.

        public String str(String key, String dflt) {
            return members.get(key) instanceof Str s ? s.value() : dflt;
        }

        public boolean bool(String key, boolean dflt) {
            return members.get(key) instanceof Bool b ? b.value() : dflt;
        }

        /** A whole number within int range (ArithmeticException otherwise: the schema bounds it first). */
        public int integer(String key, int dflt) {
            return members.get(key) instanceof Num n ? n.decimal().intValueExact() : dflt;
        }

        public BigDecimal decimal(String key) {
            return members.get(key) instanceof Num n ? n.decimal() : null;
        }

        /** The strings of an array member (other items skipped), or null when absent. */
        public List<String> strings(String key) {
            if (!(members.get(key) instanceof Arr a)) return null;
            List<String> out = new ArrayList<>(a.size());
            for (Json item : a.items()) if (item instanceof Str s) out.add(s.value());
            return out;
        }
    }

    /** An array. */
    record Arr(List<Json> items) implements Json {
        public static final Arr EMPTY = new Arr(List.of());

        public Arr {
            if (!(items instanceof JsonParser.Items)) items = List.copyOf(items); // parser's items: immutable already
        }

        public int size() {
            return items.size();
        }
    }

    /** A string (already unescaped). */
    record Str(String value) implements Json {
        public Str {
            Objects.requireNonNull(value);
        }
    }

    /**
     * A number kept as its exact JSON text, so integers of any size and decimals round-trip and
     * an id like {@code 1.0} is echoed exactly as received.
     */
    record Num(String text) implements Json {
        public Num {
            Objects.requireNonNull(text);
        }

        public static Num of(long v) {
            return new Num(Long.toString(v));
        }

        public static Num of(BigDecimal v) {
            return new Num(v.toString());
        }

        public BigDecimal decimal() {
            return new BigDecimal(text);
        }

        /** The exact integer value, or throws ArithmeticException when fractional or out of long range. */
        public long longValueExact() {
            BigInteger i = decimal().toBigIntegerExact();
            return i.longValueExact();
        }
    }

    /** true or false. */
    record Bool(boolean value) implements Json {
        public static final Bool TRUE = new Bool(true);
        public static final Bool FALSE = new Bool(false);

        public static Bool of(boolean v) {
            return v ? TRUE : FALSE;
        }
    }

    /** null. */
    record Null() implements Json {
        public static final Null NULL = new Null();
    }

    /**
     * Plain Java values as JSON, in one place (the OpenJDK java.util.json prototype's fromUntyped): null, Json,
     * String, Boolean, Integer, Long, BigDecimal, a Map with String keys (insertion order kept, null values
     * left out, so optional members need no branch) and any Collection. Anything else is a programming error.
     * An instanceof chain, not a pattern switch: a switch's bootstrap costs start-up time.
     */
    static Json of(Object v) {
        if (v == null) return Null.NULL;
        if (v instanceof Json j) return j;
        if (v instanceof String s) return new Str(s);
        if (v instanceof Boolean b) return Bool.of(b);
        if (v instanceof Integer || v instanceof Long) return Num.of(((Number) v).longValue());
        if (v instanceof BigDecimal d) return Num.of(d);
        if (v instanceof Map<?, ?> m) {
            LinkedHashMap<String, Json> members = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) if (e.getValue() != null) members.put((String) e.getKey(), of(e.getValue()));
            return new Obj(members);
        }
        if (v instanceof java.util.Collection<?> c) {
            List<Json> items = new ArrayList<>(c.size());
            for (Object item : c) items.add(of(item));
            return new Arr(items);
        }
        throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
    }

    /** An object from keys and values in turn (values as {@link #of(Object)} takes them; null values left out). */
    static Obj obj(Object... keysAndValues) {
        LinkedHashMap<String, Json> members = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] == null) continue;
            if (members.put((String) keysAndValues[i], of(keysAndValues[i + 1])) != null) {
                throw new IllegalArgumentException("duplicate key: " + keysAndValues[i]);
            }
        }
        return new Obj(members);
    }

    static Str of(String s) {
        return new Str(s);
    }

    static Num of(long n) {
        return Num.of(n);
    }

    static Bool of(boolean b) {
        return Bool.of(b);
    }
}
