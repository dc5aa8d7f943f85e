package clarimcp.security;

import static clarimcp.mcp.Wire.MAX_LINE_BYTES;

import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import clarimcp.json.JsonWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the server must answer to some input bytes, derived from the specifications rather than from our
 * code: MCP's stdio framing (one message per line), JSON-RPC 2.0 (a request gets exactly one response
 * echoing its id, or null when the id is unreadable; a notification or a response gets none; a batch
 * gets one array or, holding only notifications, nothing), and our two documented limits (line length,
 * batches only in 2025-03-26). Each expected reply is keyed by its id(s); replies to requests that the
 * same input also cancels may be missing.
 */
final class Oracle {
    /** One expected reply: "S:<id>" for a single response, "B:<ids>" for a batch array. */
    record Expect(String key, boolean mayBeMissing) {}

    private Oracle() {}

    static List<Expect> expect(byte[] input, boolean batchesAllowed) {
        List<byte[]> lines = lines(input);
        Set<String> cancelled = new HashSet<>();
        for (byte[] line : lines) cancels(parse(line), cancelled);
        List<Expect> out = new ArrayList<>();
        for (byte[] raw : lines) {
            byte[] line = raw.length > 0 && raw[raw.length - 1] == '\r' ? Arrays.copyOf(raw, raw.length - 1) : raw;
            if (raw.length > MAX_LINE_BYTES) {
                out.add(new Expect("S:null", false));
                continue;
            }
            if (isBlank(line)) continue;
            Json json = parse(line);
            if (json == null) {
                out.add(new Expect("S:null", false));
            } else if (json instanceof Json.Arr batch) {
                if (!batchesAllowed || batch.size() == 0) {
                    out.add(new Expect("S:null", false));
                    continue;
                }
                List<String> ids = new ArrayList<>();
                boolean loose = false;
                for (Json item : batch.items()) {
                    String id = replyId(item);
                    if (id != null) ids.add(id);
                    loose |= id != null && cancelled.contains(id);
                }
                if (!ids.isEmpty()) out.add(new Expect(batchKey(ids), loose));
            } else {
                String id = replyId(json);
                if (id != null) out.add(new Expect("S:" + id, cancelled.contains(id)));
            }
        }
        return out;
    }

    /** Lines as the transport splits them: on '\n' only; the caller ends the input with one. */
    private static List<byte[]> lines(byte[] input) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= input.length; i++) {
            if (i == input.length || input[i] == '\n') {
                out.add(Arrays.copyOfRange(input, start, i));
                start = i + 1;
            }
        }
        return out;
    }

    private static boolean isBlank(byte[] b) {
        for (byte c : b) if (c != ' ' && c != '\t' && c != '\r') return false;
        return true;
    }

    private static Json parse(byte[] line) {
        if (line.length > MAX_LINE_BYTES) return null;
        try {
            return JsonParser.parse(line, MAX_LINE_BYTES);
        } catch (JsonException e) {
            return null;
        }
    }

    /**
     * The id text a reply to this message carries, or null when none is due (JSON-RPC 2.0 sections 4-6):
     * anything that is not a valid notification or response is answered, with the id when it is a string
     * or a number and null otherwise.
     */
    static String replyId(Json message) {
        if (!(message instanceof Json.Obj o)) return "null";
        Json id = o.get("id");
        String idText = id instanceof Json.Str || id instanceof Json.Num ? JsonWriter.write(id) : "null";
        if (!(o.get("jsonrpc") instanceof Json.Str v) || !v.value().equals("2.0")) return idText;
        if (id != null && idText.equals("null")) return idText;
        Json method = o.get("method");
        if (method == null) return id != null && (o.has("result") || o.has("error")) ? null : idText;
        if (!(method instanceof Json.Str)) return idText;
        Json params = o.get("params");
        if (params != null && !(params instanceof Json.Obj) && !(params instanceof Json.Arr)) return idText;
        // An id over Message.MAX_ID_BYTES is refused with id null (a call in flight holds its id).
        String raw = id instanceof Json.Str str ? str.value() : id instanceof Json.Num n ? n.text() : "";
        if (id != null && raw.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > clarimcp.mcp.Rpc.MAX_ID_BYTES) {
            return "null";
        }
        return id != null ? idText : null;
    }

    private static void cancels(Json json, Set<String> out) {
        if (json instanceof Json.Arr a) {
            for (Json item : a.items()) cancels(item, out);
        } else if (json instanceof Json.Obj o && o.get("params") instanceof Json.Obj p && p.get("requestId") != null) {
            out.add(JsonWriter.write(p.get("requestId")));
        }
    }

    static String batchKey(List<String> ids) {
        List<String> sorted = new ArrayList<>(ids);
        sorted.sort(null);
        return "B:" + String.join(",", sorted);
    }
}
