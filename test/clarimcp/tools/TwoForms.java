package clarimcp.tools;

import clarimcp.mcp.Tool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.json.JsonWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Issue 12 item 6, "one answer, two forms": Claude Code hands the model only structuredContent when a result
 * has it, Claude Desktop only the text, so each must hold the same facts. Any tool's test (and the e2e tests,
 * on the reply read off the wire) can check an answer with {@link #assertSameFacts}.
 */
public final class TwoForms {
    /** Structured JSON at most this many times the text's length: compact (columns + rows), not an object per row. */
    public static final double MAX_RATIO = 1.25;
    /** How the tools mark a note line in the text (get_forecast, get_pipeline_changes, get_admin_limits). */
    private static final String NOTE = "NOTE:";

    private TwoForms() {}

    public static void assertSameFacts(Tool.Result r, String... facts) {
        assertFalse(r.isError(), r.text());
        assertSameFacts(r.text(), r.structured(), facts);
    }

    /**
     * Checks that (a) the structured JSON is at most {@link #MAX_RATIO} times the text; (b) every "NOTE:" line of
     * the text is one of the structured {@code notes}, and every note is in the text; (c) each fact the caller
     * names (an id, a count, a row's key) is in both; (d) where the structured form has {@code columns} and
     * {@code rows} of strings, every row has one cell per column and every non-empty cell is in the text; and
     * that the text was not cut by the size cap (the structured form would then hold more).
     */
    public static void assertSameFacts(String text, Json.Obj structured, String... facts) {
        assertNotNull(structured, "no structuredContent");
        String json = JsonWriter.write(structured);
        System.out.printf("two forms: text %d, structured JSON %d characters (%.2f x)%n", text.length(), json.length(),
                (double) json.length() / text.length());
        assertTrue(json.length() <= MAX_RATIO * text.length(),
                "structured JSON is " + json.length() + " characters, over " + MAX_RATIO + " x the text's " + text.length());
        assertFalse(text.contains("[output cut at"), "the text was cut by its size cap; the structured form was not");

        Json.Arr notes = structured.arr("notes");
        assertNotNull(notes, "structuredContent has no notes array: " + shortened(json));
        List<String> noteList = strings(notes);
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.toUpperCase(Locale.ROOT).startsWith(NOTE)) {
                String note = l.substring(NOTE.length()).strip();
                assertTrue(noteList.contains(note), "text note missing from structured notes: " + note + "\nnotes: " + noteList);
            }
        }
        for (String n : noteList) assertTrue(text.contains(n), "structured note missing from the text: " + n + "\n" + shortened(text));

        List<String> values = new ArrayList<>();
        scalars(structured, values);
        for (String fact : facts) {
            assertTrue(text.contains(fact), "fact missing from the text: " + fact + "\n" + shortened(text));
            assertTrue(values.stream().anyMatch(v -> v.contains(fact)), "fact missing from the structured form: " + fact + "\n" + shortened(json));
        }

        if (structured.arr("rows") != null && structured.arr("rows").size() > 0) {
            assertNotNull(structured.arr("columns"), "rows without columns");
            int width = structured.arr("columns").size();
            for (Json row : structured.arr("rows").items()) {
                if (!(row instanceof Json.Arr cells)) continue;
                assertEquals(width, cells.size(), "a row has one cell per column: " + JsonWriter.write(row));
                for (Json c : cells.items()) {
                    if (c instanceof Json.Str s && !s.value().isEmpty()) {
                        assertTrue(text.contains(s.value()) || text.contains(s.value().replace("|", "\\|")),
                                "row cell missing from the text: " + s.value());
                    }
                }
            }
        }
    }

    /** The structured columns + rows as one object per row (the columns as keys), for readable assertions. */
    public static List<Json.Obj> rows(Json.Obj structured) {
        if (structured.arr("rows").size() == 0) return List.of();   // columns may be left out with no rows
        List<String> columns = strings(structured.arr("columns"));
        List<Json.Obj> out = new ArrayList<>();
        for (Json row : structured.arr("rows").items()) {
            ObjBuilder b = new ObjBuilder();
            List<Json> cells = ((Json.Arr) row).items();
            for (int i = 0; i < columns.size(); i++) b.put(columns.get(i), cells.get(i));
            out.add(b.build());
        }
        return out;
    }

    /** A failure message's copy of an answer, cut so a 40,000-character answer does not bury the reason. */
    private static String shortened(String s) {
        return s.length() <= 2_000 ? s : s.substring(0, 2_000) + "... (" + s.length() + " characters)";
    }

    private static List<String> strings(Json.Arr a) {
        List<String> out = new ArrayList<>();
        for (Json j : a.items()) out.add(((Json.Str) j).value());
        return out;
    }

    /** Every string value, number and member name in v. */
    private static void scalars(Json v, List<String> out) {
        switch (v) {
            case Json.Obj o -> o.members().forEach((k, x) -> {
                out.add(k);
                scalars(x, out);
            });
            case Json.Arr a -> a.items().forEach(x -> scalars(x, out));
            case Json.Str s -> out.add(s.value());
            case Json.Num n -> out.add(n.text());
            case Json.Bool b -> out.add(Boolean.toString(b.value()));
            case Json.Null n -> { }
        }
    }
}
