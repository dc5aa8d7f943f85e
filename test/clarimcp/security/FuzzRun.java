package clarimcp.security;

import static java.nio.charset.StandardCharsets.UTF_8;

import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import clarimcp.json.JsonWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One fuzzing session: initialize at a protocol version, then one mutated input per case. After each case
 * the run waits for every reply the {@link Oracle} says is due, then sends a sentinel ping and waits for its
 * pong, so each reply is attributed to the input that caused it. Checked for every case: each stdout line
 * is one JSON-RPC message, each due reply arrives exactly once with its id echoed, nothing else arrives,
 * no reply is an internal error (that is a bug), and the case ends within {@link #CASE_DEADLINE_MS}.
 * At the end: end of input stops the server cleanly and stderr shows no exception or internal error.
 */
final class FuzzRun {
    /** Longest a case may take: far above a tool call against the sandbox, so only a hang trips it. */
    static final long CASE_DEADLINE_MS = 20_000;
    /** After a case that cancels its own request, how long a late reply may still take to arrive. */
    private static final long CANCEL_GRACE_MS = 1_000;

    private final Wire wire;
    private final boolean batches;
    private final long seed;
    private int sentinel;
    /** Replies by kind ("tool ok", "tool error", "-32700"...), printed at the end so a shallow run shows. */
    private final java.util.Map<String, Integer> tally = new java.util.TreeMap<>();

    FuzzRun(Wire wire, String protocolVersion, long seed) throws Exception {
        this.wire = wire;
        this.batches = protocolVersion.equals("2025-03-26");
        this.seed = seed;
        send(("{\"jsonrpc\":\"2.0\",\"id\":\"init\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + protocolVersion + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"fuzz\",\"version\":\"1\"}}}").getBytes(UTF_8));
        List<Json> init = collect(List.of(new Oracle.Expect("S:\"init\"", false)), "initialize");
        check(init.size() == 1 && ((Json.Obj) init.get(0)).has("result"), "initialize failed: " + init, null, -1);
        send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}".getBytes(UTF_8));
    }

    /** Runs cases first..first+count-1 of this seed. */
    void run(Mutator mutator, int first, int count) throws Exception {
        for (int i = first; i < first + count; i++) {
            Random r = new Random(mix(seed * 0x9E3779B97F4A7C15L + i));
            Mutator.Case c = mutator.next(r);
            List<Oracle.Expect> expected = Oracle.expect(c.bytes(), batches);
            send(c.bytes());
            List<Json> replies = collect(expected, c, i);
            match(expected, replies, c, i);
            for (Json reply : replies) count(reply);
        }
    }

    /** SplitMix64's finaliser: java.util.Random's first draws from neighbouring seeds are correlated. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private void count(Json reply) {
        String kind;
        if (reply instanceof Json.Arr) {
            kind = "batch";
        } else if (((Json.Obj) reply).obj("error") instanceof Json.Obj e) {
            kind = ((Json.Num) e.get("code")).text();
        } else if (((Json.Obj) reply).obj("result") instanceof Json.Obj r && r.has("isError")) {
            kind = Json.Bool.TRUE.equals(r.get("isError")) ? "tool error" : "tool ok";
        } else {
            kind = "other result";
        }
        tally.merge(kind, 1, Integer::sum);
    }

    /** Sends fixed inputs, checked exactly as mutated ones; returns the replies to each. */
    List<List<Json>> runFixed(List<String> inputs) throws Exception {
        List<List<Json>> all = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Mutator.Case c = new Mutator.Case(null, "a fixed input", inputs.get(i).getBytes(UTF_8));
            List<Oracle.Expect> expected = Oracle.expect(c.bytes(), batches);
            send(c.bytes());
            List<Json> replies = collect(expected, c, i);
            match(expected, replies, c, i);
            for (Json reply : replies) count(reply);
            all.add(replies);
        }
        return all;
    }

    /** Ends input; the server must stop by itself, with nothing on stderr and its framing intact. */
    void finish() throws Exception {
        System.out.println("fuzz seed " + seed + " replies: " + tally);
        check(wire.endInput(10_000), "server did not stop cleanly at end of input", null, -1);
        check(wire.problems().isEmpty(), "framing: " + wire.problems(), null, -1);
        // stderr carries diagnostics (and the launcher's call log); a crash or an internal error shows there.
        for (String line : wire.stderrText().split("\n")) {
            String l = line.toLowerCase(java.util.Locale.ROOT);
            check(!l.contains("exception") && !l.contains("internal") && !l.startsWith("\tat "), "stderr: " + line, null, -1);
        }
    }

    private void send(byte[] line) throws Exception {
        byte[] withNewline = java.util.Arrays.copyOf(line, line.length + 1);
        withNewline[line.length] = '\n';
        wire.write(withNewline);
    }

    private List<Json> collect(List<Oracle.Expect> expected, Object what) throws Exception {
        return collect(expected, what instanceof Mutator.Case c ? c : null, -1);
    }

    /** The replies to one case: at least the due ones, then everything up to the sentinel's pong. */
    private List<Json> collect(List<Oracle.Expect> expected, Mutator.Case c, int index) throws Exception {
        long deadline = System.currentTimeMillis() + CASE_DEADLINE_MS;
        long due = expected.stream().filter(e -> !e.mayBeMissing()).count();
        List<Json> replies = new ArrayList<>();
        while (replies.size() < due) replies.addAll(read(deadline, c, index, null));
        String ping = "sentinel-" + (sentinel++);
        send(("{\"jsonrpc\":\"2.0\",\"id\":\"" + ping + "\",\"method\":\"ping\"}").getBytes(UTF_8));
        List<Json> more;
        while ((more = read(deadline, c, index, ping)) != null) replies.addAll(more);
        if (expected.stream().anyMatch(Oracle.Expect::mayBeMissing)) {
            byte[] late;
            while ((late = wire.next(CANCEL_GRACE_MS)) != null && !Wire.isEof(late)) replies.addAll(messages(late, c, index, null));
        }
        return replies;
    }

    /** The replies in the next line (notifications checked and dropped); null when it is the pong of ping. */
    private List<Json> read(long deadline, Mutator.Case c, int index, String ping) throws Exception {
        byte[] line = wire.next(Math.max(1, deadline - System.currentTimeMillis()));
        check(line != null, "no reply within " + CASE_DEADLINE_MS + " ms (hang)", c, index);
        check(!Wire.isEof(line), "server closed stdout (crash); stderr: " + wire.stderrText(), c, index);
        return messages(line, c, index, ping);
    }

    private List<Json> messages(byte[] line, Mutator.Case c, int index, String ping) {
        Json json;
        try {
            json = JsonParser.parse(line);
        } catch (JsonException e) {
            throw failure("stdout line is not JSON (" + e.getMessage() + ")", c, index);
        }
        List<Json> out = new ArrayList<>();
        if (json instanceof Json.Arr batch) {
            check(batches && batch.size() > 0, "unexpected array on stdout", c, index);
            for (Json item : batch.items()) checkResponse(item, c, index);
            out.add(json);
            return out;
        }
        check(json instanceof Json.Obj o && o.get("jsonrpc") instanceof Json.Str v && v.value().equals("2.0"),
                "not a JSON-RPC 2.0 message: " + clip(line), c, index);
        Json.Obj o = (Json.Obj) json;
        if (o.has("method")) {
            check(!o.has("id") && o.get("method") instanceof Json.Str m && m.value().startsWith("notifications/"),
                    "the server sent a request or malformed notification: " + clip(line), c, index);
            return out;
        }
        checkResponse(o, c, index);
        if (ping != null && new Json.Str(ping).equals(o.get("id"))) return null;
        out.add(o);
        return out;
    }

    private void checkResponse(Json item, Mutator.Case c, int index) {
        boolean ok = item instanceof Json.Obj o && o.get("jsonrpc") instanceof Json.Str v && v.value().equals("2.0")
                && (o.get("id") instanceof Json.Str || o.get("id") instanceof Json.Num || o.get("id") instanceof Json.Null)
                && o.has("result") != o.has("error");
        check(ok, "malformed response: " + JsonWriter.write(item), c, index);
        Json.Obj error = ((Json.Obj) item).obj("error");
        if (error != null) {
            check(error.get("code") instanceof Json.Num && error.get("message") instanceof Json.Str,
                    "malformed error: " + JsonWriter.write(item), c, index);
            check(!((Json.Num) error.get("code")).text().equals("-32603"), "internal error (a bug): " + JsonWriter.write(item), c, index);
        }
    }

    /** Every due reply exactly once, optional ones at most once, nothing else. */
    private void match(List<Oracle.Expect> expected, List<Json> replies, Mutator.Case c, int index) {
        List<String> got = new ArrayList<>();
        for (Json r : replies) got.add(key(r));
        List<String> left = new ArrayList<>(got);
        for (Oracle.Expect e : expected) {
            boolean found = left.remove(e.key());
            check(found || e.mayBeMissing(), "no reply " + e.key() + "; expected " + expected + ", got " + got, c, index);
        }
        check(left.isEmpty(), "unexpected or repeated replies " + left + "; expected " + expected + ", got " + got, c, index);
    }

    private static String key(Json reply) {
        if (reply instanceof Json.Arr a) {
            List<String> ids = new ArrayList<>();
            for (Json item : a.items()) ids.add(JsonWriter.write(((Json.Obj) item).get("id")));
            return Oracle.batchKey(ids);
        }
        return "S:" + JsonWriter.write(((Json.Obj) reply).get("id"));
    }

    private void check(boolean ok, String problem, Mutator.Case c, int index) {
        if (!ok) throw failure(problem, c, index);
    }

    private AssertionError failure(String problem, Mutator.Case c, int index) {
        if (c == null) return new AssertionError(problem + " (seed " + seed + ")");
        return new AssertionError("fuzz case " + index + " of seed " + seed + " (" + c.kind() + " of " + clip(c.seed().getBytes(UTF_8))
                + "): " + problem + "\n  input: " + clip(c.bytes())
                + "\n  rerun: -Dclarimcp.fuzz.seed=" + seed + " -Dclarimcp.fuzz.first=" + index + " -Dclarimcp.fuzz.cases=1");
    }

    /** The first 300 bytes, with anything outside printable ASCII escaped. */
    static String clip(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 300); i++) {
            int c = b[i] & 0xFF;
            s.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return b.length > 300 ? s + "... (" + b.length + " bytes)" : s.toString();
    }
}
