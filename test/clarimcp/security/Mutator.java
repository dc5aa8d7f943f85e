package clarimcp.security;

import static java.nio.charset.StandardCharsets.UTF_8;

import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import clarimcp.json.JsonWriter;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Turns one valid client line into a hostile one. Byte-level kinds (flips, truncation, invalid UTF-8,
 * line splicing) break the framing and the parser; tree-level kinds (wrong types, huge strings and numbers,
 * deep nesting, duplicate keys, dropped and added members) keep valid JSON and attack the layers above.
 * Tree edits put a placeholder string where raw text goes, so even text our writer refuses to produce
 * (duplicate keys, 200,000 brackets) lands exactly there.
 */
final class Mutator {
    enum Kind { FLIP, TRUNCATE, INVALID_UTF8, SPLICE, WRONG_TYPE, HUGE_STRING, HUGE_NUMBER, DEEP, DUPLICATE_KEY, DROP_OR_ADD, COMBO }

    /** Draw weights, in Kind order: huge strings cost megabytes per case, so they are drawn rarely. */
    private static final int[] WEIGHTS = {6, 3, 3, 2, 8, 1, 4, 3, 3, 3, 4};
    private static final String HOLE = "\u0000hole\u0000";
    private static final String HOLE_TEXT = JsonWriter.write(new Json.Str(HOLE));
    private static final List<String> WRONG = List.of("null", "true", "false", "0", "-0", "-1", "1.5", "1E-7", "1e400",
            "\"\"", "\"x\"", "\"\\u202E\"", "\"2026_Q2\"", "\"2026-01-01\"", "[]", "{}", "[1,\"a\",null]",
            "{\"a\":{\"b\":[]}}", "123456789012345678901234567890", "\"notifications/cancelled\"", "\"tools/call\"");
    private static final List<String> NUMBERS = List.of("1e999999999", "-1E+9999999999", "1e-999999999", "1e600000000",
            "9".repeat(100_000), "-" + "1".repeat(5000) + "." + "0".repeat(5000), "0.000000000000000000000000001",
            "2147483648", "-9223372036854775809", "18446744073709551616", "1E2", "200.0");
    private static final byte[][] BAD_UTF8 = {
        {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0x80},
        {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}};

    private final List<String> seeds;
    private final List<String> toolCalls;

    /** seeds: every valid line; toolCalls: those that run a real tool, drawn half the time so the tools get depth. */
    Mutator(List<String> seeds, List<String> toolCalls) {
        this.seeds = List.copyOf(seeds);
        this.toolCalls = List.copyOf(toolCalls);
    }

    record Case(Kind kind, String seed, byte[] bytes) {}

    Case next(Random r) {
        List<String> from = r.nextBoolean() && !toolCalls.isEmpty() ? toolCalls : seeds;
        String seed = from.get(r.nextInt(from.size()));
        Kind kind = draw(r);
        return new Case(kind, seed, apply(kind, seed.getBytes(UTF_8), r));
    }

    private static Kind draw(Random r) {
        int total = 0;
        for (int w : WEIGHTS) total += w;
        int x = r.nextInt(total);
        for (Kind k : Kind.values()) {
            x -= WEIGHTS[k.ordinal()];
            if (x < 0) return k;
        }
        throw new AssertionError();
    }

    private byte[] apply(Kind kind, byte[] in, Random r) {
        return switch (kind) {
            case FLIP -> flip(in, r);
            case TRUNCATE -> java.util.Arrays.copyOf(in, r.nextInt(Math.max(1, in.length)));
            case INVALID_UTF8 -> insert(in, r.nextInt(in.length + 1), BAD_UTF8[r.nextInt(BAD_UTF8.length)]);
            case SPLICE -> splice(in, r);
            case WRONG_TYPE -> replaceNode(in, r, WRONG.get(r.nextInt(WRONG.size())));
            case HUGE_STRING -> replaceNode(in, r, "\"" + "A".repeat(new int[] {100_000, 1_000_000, 3_900_000, 4_500_000}[r.nextInt(4)]) + "\"");
            case HUGE_NUMBER -> replaceNode(in, r, NUMBERS.get(r.nextInt(NUMBERS.size())));
            case DEEP -> replaceNode(in, r, nesting(new int[] {127, 128, 129, 1000, 200_000}[r.nextInt(5)], r.nextBoolean()));
            case DUPLICATE_KEY -> duplicateKey(in, r);
            case DROP_OR_ADD -> dropOrAdd(in, r);
            case COMBO -> {
                byte[] b = in;
                for (int i = 0, n = 2 + r.nextInt(2); i < n; i++) {
                    Kind k = Kind.values()[r.nextInt(Kind.COMBO.ordinal())];
                    if (k != Kind.HUGE_STRING) b = apply(k, b, r);
                }
                yield b;
            }
        };
    }

    private static byte[] flip(byte[] in, Random r) {
        byte[] b = in.clone();
        if (b.length == 0) return b;
        for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
            int at = r.nextInt(b.length);
            b[at] = r.nextBoolean() ? (byte) (b[at] ^ (1 << r.nextInt(8))) : (byte) r.nextInt(256);
        }
        return b;
    }

    private static byte[] insert(byte[] in, int at, byte[] what) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + what.length);
        out.write(in, 0, at);
        out.writeBytes(what);
        out.write(in, at, in.length - at);
        return out.toByteArray();
    }

    /** Two lines run together, a line broken in two, or a stray CR. */
    private byte[] splice(byte[] in, Random r) {
        byte[] other = seeds.get(r.nextInt(seeds.size())).getBytes(UTF_8);
        return switch (r.nextInt(4)) {
            case 0 -> insert(in, in.length, concat(new byte[] {'\n'}, other));
            case 1 -> insert(in, in.length, other);
            case 2 -> insert(in, r.nextInt(in.length + 1), new byte[] {'\n'});
            default -> insert(in, r.nextInt(in.length + 1), new byte[] {'\r'});
        };
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return insert(a, a.length, b);
    }

    private static String nesting(int depth, boolean arrays) {
        StringBuilder b = new StringBuilder(depth * 6);
        for (int i = 0; i < depth; i++) b.append(arrays ? "[" : "{\"a\":");
        b.append('1');
        for (int i = 0; i < depth; i++) b.append(arrays ? ']' : '}');
        return b.toString();
    }

    // ---------------------------------------------------------------- tree edits

    private static Json parse(byte[] in) {
        try {
            return JsonParser.parse(in);
        } catch (JsonException e) {
            return null; // an earlier mutation broke it: tree edits pass it through
        }
    }

    /** Every path in the tree (lists of String keys and Integer indices), the root included. */
    private static void paths(Json v, List<Object> at, List<List<Object>> out) {
        out.add(List.copyOf(at));
        if (v instanceof Json.Obj o) {
            for (String k : o.members().keySet()) {
                at.add(k);
                paths(o.get(k), at, out);
                at.remove(at.size() - 1);
            }
        } else if (v instanceof Json.Arr a) {
            for (int i = 0; i < a.size(); i++) {
                at.add(i);
                paths(a.items().get(i), at, out);
                at.remove(at.size() - 1);
            }
        }
    }

    private static Json replace(Json v, List<Object> path, int depth, java.util.function.UnaryOperator<Json> f) {
        if (depth == path.size()) return f.apply(v);
        Object step = path.get(depth);
        if (v instanceof Json.Obj o) {
            Map<String, Json> m = new LinkedHashMap<>(o.members());
            m.put((String) step, replace(o.get((String) step), path, depth + 1, f));
            return new Json.Obj(m);
        }
        Json.Arr a = (Json.Arr) v;
        List<Json> items = new ArrayList<>(a.items());
        items.set((Integer) step, replace(items.get((Integer) step), path, depth + 1, f));
        return new Json.Arr(items);
    }

    private static List<Object> pick(Json tree, Random r, java.util.function.Predicate<Json> where) {
        List<List<Object>> all = new ArrayList<>();
        paths(tree, new ArrayList<>(), all);
        List<List<Object>> fit = all.stream().filter(p -> where.test(at(tree, p))).toList();
        return fit.isEmpty() ? null : fit.get(r.nextInt(fit.size()));
    }

    private static Json at(Json v, List<Object> path) {
        for (Object step : path) v = step instanceof String k ? ((Json.Obj) v).get(k) : ((Json.Arr) v).items().get((Integer) step);
        return v;
    }

    /** A random node (the root only rarely) replaced by raw JSON text. */
    private static byte[] replaceNode(byte[] in, Random r, String raw) {
        Json tree = parse(in);
        if (tree == null) return in;
        List<Object> path = pick(tree, r, v -> true);
        if (path.isEmpty() && r.nextInt(8) != 0) path = pick(tree, r, v -> true);
        String text = JsonWriter.write(replace(tree, path, 0, v -> new Json.Str(HOLE)));
        return text.replace(HOLE_TEXT, raw).getBytes(UTF_8);
    }

    /** One member of a random object written twice, the second time with another value. */
    private static byte[] duplicateKey(byte[] in, Random r) {
        Json tree = parse(in);
        if (tree == null) return in;
        List<Object> path = pick(tree, r, v -> v instanceof Json.Obj o && !o.members().isEmpty());
        if (path == null) return in;
        Json.Obj obj = (Json.Obj) at(tree, path);
        List<String> keys = List.copyOf(obj.members().keySet());
        String key = keys.get(r.nextInt(keys.size()));
        Json second = r.nextBoolean() ? obj.get(key) : Json.Num.of(r.nextInt(10));
        String text = JsonWriter.write(replace(tree, path, 0, v -> {
            Map<String, Json> m = new LinkedHashMap<>(((Json.Obj) v).members());
            m.put(HOLE, second);
            return new Json.Obj(m);
        }));
        return text.replace(HOLE_TEXT, JsonWriter.write(new Json.Str(key))).getBytes(UTF_8);
    }

    private static byte[] dropOrAdd(byte[] in, Random r) {
        Json tree = parse(in);
        if (tree == null) return in;
        List<Object> path = pick(tree, r, v -> v instanceof Json.Obj);
        if (path == null) return in;
        boolean drop = r.nextBoolean();
        return JsonWriter.write(replace(tree, path, 0, v -> {
            Map<String, Json> m = new LinkedHashMap<>(((Json.Obj) v).members());
            if (drop && !m.isEmpty()) {
                m.remove(List.copyOf(m.keySet()).get(r.nextInt(m.size())));
            } else {
                String[] extra = {"_meta", "id", "method", "params", "arguments", "name", "jsonrpc", "result", "error", "extra"};
                m.putIfAbsent(extra[r.nextInt(extra.length)], new Json.Str("\u202Eadded"));
            }
            return new Json.Obj(m);
        })).getBytes(UTF_8);
    }
}
