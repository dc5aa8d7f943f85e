package clarimcp.security;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Hostile rewrites of Clari's answers (for HostileKnobs.transform) and the check for hidden characters. */
final class Hostile {
    private Hostile() {}

    /**
     * Characters that render as nothing or reorder what a reviewer sees: a right-to-left override, an isolate,
     * zero-width space and joiner, a BOM, an Arabic letter mark, a bell, a tag letter, variation selectors
     * (which can carry arbitrary bytes invisibly) and a pop-directional. Inserted so the visible text is unchanged.
     */
    static String decorate(String s) {
        if (s.isEmpty()) return s;
        int first = Character.charCount(s.codePointAt(0));
        return "\u202E\u2066" + s.substring(0, first) + "\u200B\u200D\uFEFF" + s.substring(first)
                + "\u061C\u0007\uDB40\uDC41\uFE0F\uDB40\uDD00\u2069\u202C" + CARRIERS;
    }

    /**
     * Invisible carriers the first sanitisers let through (issue 15): Mongolian variation selectors, the
     * combining grapheme joiner, the Hangul fillers (letters, Lo), a soft hyphen, an unassigned plane-14 point,
     * private use (BMP and plane 15) and an unassigned BMP point.
     */
    static final String CARRIERS = "\u180B\u180C\u180D\u180F\u034F\u115F\u1160\u3164\uFFA0\u00AD"
            + new String(Character.toChars(0xE0080)) + "\uE000" + new String(Character.toChars(0xF0000)) + "\u0378";

    /** Keys whose strings are identifiers or links: decorating them only makes lookups fail, which proves nothing. */
    static boolean isIdentifier(String key) {
        return key.equals("id") || key.endsWith("Id") || key.endsWith("ID") || key.equals("nextLink") || key.equals("event");
    }

    /** Every display string of the answer (names, stages, messages, field values) decorated. */
    static final UnaryOperator<Json> DECORATE_TEXT = json -> mapStrings(json, false);

    private static Json mapStrings(Json v, boolean identifier) {
        return switch (v) {
            case Json.Str s -> identifier ? s : new Json.Str(decorate(s.value()));
            case Json.Obj o -> {
                Map<String, Json> out = new LinkedHashMap<>();
                o.members().forEach((k, x) -> out.put(k, mapStrings(x, isIdentifier(k))));
                yield new Json.Obj(out);
            }
            case Json.Arr a -> new Json.Arr(a.items().stream().map(x -> mapStrings(x, identifier)).toList());
            case Json.Num n -> n;
            case Json.Bool b -> b;
            case Json.Null n -> n;
        };
    }

    /** Every scalar and container below the top replaced by what f makes of it (post-order). */
    static UnaryOperator<Json> everyValue(UnaryOperator<Json> f) {
        return json -> walk(json, f, true);
    }

    private static Json walk(Json v, UnaryOperator<Json> f, boolean top) {
        Json mapped = switch (v) {
            case Json.Obj o -> {
                Map<String, Json> out = new LinkedHashMap<>();
                o.members().forEach((k, x) -> out.put(k, walk(x, f, false)));
                yield new Json.Obj(out);
            }
            case Json.Arr a -> {
                List<Json> out = new ArrayList<>();
                for (Json x : a.items()) out.add(walk(x, f, false));
                yield new Json.Arr(out);
            }
            default -> v;
        };
        return top ? mapped : f.apply(mapped);
    }

    /** Named rewrites that put wrong types and absurd values where Clari sends numbers, strings and lists. */
    static Map<String, UnaryOperator<Json>> wrongShapes() {
        Map<String, UnaryOperator<Json>> m = new LinkedHashMap<>();
        m.put("numbers as words", everyValue(v -> v instanceof Json.Num ? new Json.Str("lots") : v));
        m.put("strings as numbers", everyValue(v -> v instanceof Json.Str ? Json.Num.of(42) : v));
        m.put("objects as arrays", everyValue(v -> v instanceof Json.Obj o ? new Json.Arr(List.copyOf(o.members().values())) : v));
        m.put("arrays as objects", everyValue(v -> v instanceof Json.Arr ? Json.obj("items", "none") : v));
        m.put("every scalar null", everyValue(v -> v instanceof Json.Obj || v instanceof Json.Arr ? v : Json.Null.NULL));
        m.put("booleans everywhere", everyValue(v -> v instanceof Json.Obj || v instanceof Json.Arr ? v : Json.Bool.TRUE));
        m.put("numbers 1e999999999", everyValue(v -> v instanceof Json.Num ? new Json.Num("1e999999999") : v));
        m.put("numbers 1e9999999999", everyValue(v -> v instanceof Json.Num ? new Json.Num("-1E+9999999999") : v));
        m.put("numbers 1e-999999999", everyValue(v -> v instanceof Json.Num ? new Json.Num("1e-999999999") : v));
        m.put("numbers 1e600000000", everyValue(v -> v instanceof Json.Num ? new Json.Num("1e600000000") : v));
        m.put("numbers of 20000 digits", everyValue(v -> v instanceof Json.Num ? new Json.Num("9".repeat(20_000)) : v));
        m.put("numbers wrapped 60 deep", everyValue(v -> v instanceof Json.Num ? wrap(v, 60) : v));
        m.put("strings of 5000 chars", everyValue(v -> v instanceof Json.Str ? new Json.Str("A\u202E".repeat(2_500)) : v));
        m.put("empty top-level object", json -> Json.Obj.EMPTY);
        m.put("top-level array", json -> ObjBuilder.arr(json));
        m.put("top-level string", json -> new Json.Str("<html>"));
        return m;
    }

    private static Json wrap(Json v, int depth) {
        for (int i = 0; i < depth; i++) v = Json.obj("value", v);
        return v;
    }

    /**
     * Where a string of the value holds a character that is invisible or reorders text: controls (a newline
     * only where allowed), format characters (bidi, zero-width, BOM, tags), variation selectors, unpaired
     * surrogates and line/paragraph separators. Keys are checked as well as values. Empty when clean.
     */
    static List<String> hidden(Json v, boolean newlinesAllowed) {
        List<String> found = new ArrayList<>();
        scan(v, "$", newlinesAllowed, found);
        return found;
    }

    private static void scan(Json v, String at, boolean newlines, List<String> found) {
        switch (v) {
            case Json.Str s -> check(s.value(), at, newlines, found);
            case Json.Obj o -> o.members().forEach((k, x) -> {
                check(k, at + ".<key>", false, found);
                scan(x, at + "." + k, newlines, found);
            });
            case Json.Arr a -> {
                for (int i = 0; i < a.size(); i++) scan(a.items().get(i), at + "[" + i + "]", newlines, found);
            }
            case Json.Num n -> { }
            case Json.Bool b -> { }
            case Json.Null n -> { }
        }
    }

    private static void check(String s, String at, boolean newlines, List<String> found) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\n' && newlines) continue;
            if (isHidden(cp)) found.add(at + ": U+" + Integer.toHexString(cp).toUpperCase());
        }
    }

    static boolean isHidden(int cp) {
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                || type == Character.UNASSIGNED || type == Character.PRIVATE_USE || CARRIERS.indexOf(cp) >= 0
                || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF) || (cp >= 0xE0000 && cp <= 0xE0FFF)
                || cp == 0x2028 || cp == 0x2029;
    }
}
