package clarimcp.tools;

import clarimcp.mcp.Tool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import clarimcp.clari.ClariClient;
import clarimcp.clari.ClariConfig;
import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import clarimcp.sandbox.ClariSandbox;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Shared test plumbing: a sandbox-backed Clari, a recording Tool.Context, JSON helpers. */
final class Fixtures {
    private Fixtures() {}

    /** A running sandbox and a Clari pointing at it; env adds or overrides variables (key, value, ...). */
    record Sandboxed(ClariSandbox sb, ClariConfig config, ClariClient client) implements Clari, AutoCloseable {
        static Sandboxed start(String... env) throws Exception {
            ClariSandbox sb = ClariSandbox.start();
            Map<String, String> vars = new HashMap<>(Map.of(
                    "CLARI_API_TOKEN", sb.token(),
                    "CLARI_BASE_URL", sb.baseUrl().toString(),
                    "CLARI_POLL_INTERVAL_SECONDS", "0.2",
                    "CLARI_FORECAST_ID", "forecast"));
            for (int i = 0; i < env.length; i += 2) {
                if (env[i + 1] == null) vars.remove(env[i]);
                else vars.put(env[i], env[i + 1]);
            }
            ClariConfig config = ClariConfig.fromEnv(vars);
            return new Sandboxed(sb, config, new ClariClient(config));
        }

        @Override
        public void close() {
            sb.close();
        }
    }

    /** A context that drops progress and log messages. */
    static final Tool.Context NONE = new Tool.Context() {
        @Override
        public void progress(double progress, Double total, String message) {}

        @Override
        public void log(String level, String message) {}
    };

    /** A tool as the server runs it: arguments checked against its input schema, then its handler. */
    record Checked(Tool tool) {
        Tool.Result call(Json.Obj args, Tool.Context ctx) throws Tool.Failure, InterruptedException {
            return tool.handler().call(args, ctx);
        }

        Json.Obj outputSchema() {
            return tool.outputSchema();
        }
    }

    /** A Clari for tests that must fail before touching Clari (argument checks, descriptors). */
    static final Clari NO_CLARI = new Clari() {
        @Override
        public ClariConfig config() {
            throw new AssertionError("Clari config read");
        }

        @Override
        public ClariClient client() {
            throw new AssertionError("Clari client used");
        }
    };

    record Progress(double progress, Double total, String message) {}

    /** Records progress and log calls (tools may report from several threads). */
    static final class Recording implements Tool.Context {
        final List<Progress> progress = Collections.synchronizedList(new ArrayList<>());
        final List<String> logs = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void progress(double p, Double total, String message) {
            progress.add(new Progress(p, total, message));
        }

        @Override
        public void log(String level, String message) {
            logs.add(message);
        }
    }

    static Json.Obj obj(String json) {
        try {
            return (Json.Obj) JsonParser.parse(json);
        } catch (JsonException e) {
            throw new AssertionError(e);
        }
    }

    /** The whole-tree path: the same aggregation as a streamed read, fed from a parsed document (the latest week, whole org). */
    static ForecastTable table(Json results) {
        ForecastTable.Reader r = new ForecastTable.Reader();
        r.rest(results);
        try {
            return r.table(null, null, null);
        } catch (Tool.Failure | InterruptedException e) {
            throw new IllegalStateException(e); // neither happens without compare_to and scope
        }
    }

    static Json parse(String json) {
        try {
            return JsonParser.parse(json);
        } catch (JsonException e) {
            throw new AssertionError(e);
        }
    }

    /** The message of the Tool.Failure the call throws; fails when it succeeds. */
    static String toolError(ThrowingCall call) throws InterruptedException {
        try {
            call.run();
        } catch (Tool.Failure e) {
            return e.getMessage();
        }
        return fail("expected a Tool.Failure");
    }

    interface ThrowingCall {
        void run() throws Tool.Failure, InterruptedException;
    }

    /**
     * Checks value against the subset of JSON Schema our output schemas use (type, properties,
     * required, items, additionalProperties) and, stricter than JSON Schema, that every object member
     * is declared: structuredContent must not carry anything its schema does not describe.
     */
    static void assertConforms(Json.Obj schema, Json value) {
        List<String> problems = new ArrayList<>();
        check(schema, value, "$", problems);
        assertEquals(List.of(), problems, "structuredContent vs outputSchema");
    }

    private static void check(Json.Obj schema, Json value, String at, List<String> problems) {
        List<String> types = schema.get("type") instanceof Json.Arr a
                ? a.items().stream().map(j -> ((Json.Str) j).value()).toList() : List.of(String.valueOf(schema.str("type")));
        String type = String.join("|", types);
        boolean ok = switch (value) {
            case Json.Obj o -> types.contains("object");
            case Json.Arr a -> types.contains("array");
            case Json.Str s -> types.contains("string");
            case Json.Num n -> types.contains("number") || (types.contains("integer") && (n.decimal().signum() == 0 || n.decimal().stripTrailingZeros().scale() <= 0));
            case Json.Bool b -> types.contains("boolean");
            case Json.Null n -> types.contains("null");
        };
        if (!ok) {
            problems.add(at + ": expected " + type);
            return;
        }
        if (value instanceof Json.Obj o) {
            Json.Obj props = schema.obj("properties");
            Json.Arr required = schema.arr("required");
            if (required != null) {
                for (Json r : required.items()) {
                    if (!o.has(((Json.Str) r).value())) problems.add(at + ": missing " + r);
                }
            }
            for (Map.Entry<String, Json> m : o.members().entrySet()) {
                Json.Obj sub = props != null ? props.obj(m.getKey()) : null;
                if (sub == null) sub = schema.obj("additionalProperties");
                if (sub == null) problems.add(at + ": undeclared member " + m.getKey());
                else check(sub, m.getValue(), at + "." + m.getKey(), problems);
            }
        }
        if (value instanceof Json.Arr a && schema.obj("items") != null) { // no items: any cells (a row of a table)
            for (int i = 0; i < a.size(); i++) check(schema.obj("items"), a.items().get(i), at + "[" + i + "]", problems);
        }
    }

    /** get_forecast's structured rows by user name: column name -> cell (the compact columns + rows form). */
    static Map<String, Json.Obj> rowsByName(Json.Obj st) {
        Map<String, Json.Obj> out = new java.util.LinkedHashMap<>();
        for (Json row : st.arr("rows").items()) {
            Json.Obj r = zip(st.arr("columns"), (Json.Arr) row);
            out.put(r.str("User"), r);
        }
        return out;
    }

    /** get_forecast's structured total row as column name -> cell. */
    static Json.Obj total(Json.Obj st) {
        return zip(st.arr("columns"), st.arr("total"));
    }

    /** The value columns of get_forecast's structured answer (no who-columns, no then/change, no metrics). */
    static List<String> fields(Json.Obj st) {
        return st.arr("columns").items().stream().skip(4).map(j -> ((Json.Str) j).value())
                .filter(c -> !c.endsWith(" then") && !c.endsWith(" change") && !List.of("Attainment", "Gap to quota", "Coverage").contains(c))
                .toList();
    }

    /** columns and one row as an object, null cells left out. */
    static Json.Obj zip(Json.Arr columns, Json.Arr row) {
        ObjBuilder b = new ObjBuilder();
        for (int i = 0; i < columns.size(); i++) {
            if (!(row.items().get(i) instanceof Json.Null)) b.put(((Json.Str) columns.items().get(i)).value(), row.items().get(i));
        }
        return b.build();
    }
}
