package clarimcp.mcp;

import clarimcp.json.Json;
import java.nio.charset.StandardCharsets;

/**
 * A JSON-RPC 2.0 message (spec section 4), parsed once at the edge, and the wire form of what we send. An id
 * is kept as the exact JSON value received (a Str or a Num holding its original text), so it is echoed
 * unchanged: 0 is a valid id, and 1, 1.0 and "1" are three different ids.
 */
public sealed interface Rpc permits Rpc.Request, Rpc.Notification, Rpc.Response {
    /**
     * Longest request id, in UTF-8 bytes (a number's text counts as written): real clients send short counters
     * or UUIDs, and each call in flight holds its id, so 512 calls with 4 MB ids would hold 2 GB.
     */
    int MAX_ID_BYTES = 256;

    /** A call that expects exactly one response. params is an Obj, an Arr, or null when absent. */
    record Request(Json id, String method, Json params) implements Rpc {}

    /** A call that must never be answered. */
    record Notification(String method, Json params) implements Rpc {}

    /** A response from the client; this server sends no requests, so these are ignored. */
    record Response(Json id) implements Rpc {}

    /** Raised for a message that is valid JSON but not a valid JSON-RPC message. */
    final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
        /** The id to answer with: the request's own when it was readable, else null. */
        final transient Json id;

        Invalid(Json id, String why) {
            super(why, null, false, false);
            this.id = id;
        }
    }

    /** Classifies one JSON value (not an array: batches are split by the caller). */
    static Rpc from(Json json) throws Invalid {
        if (!(json instanceof Json.Obj o)) throw new Invalid(Json.Null.NULL, "expected a JSON object");
        Json rawId = o.get("id");
        boolean hasId = rawId != null;
        Json id = rawId instanceof Json.Str || rawId instanceof Json.Num ? rawId : Json.Null.NULL;
        if (!(o.get("jsonrpc") instanceof Json.Str v) || !v.value().equals("2.0")) {
            throw new Invalid(id, "jsonrpc must be \"2.0\"");
        }
        if (hasId && id instanceof Json.Null) throw new Invalid(id, "id must be a string or a number");
        Json method = o.get("method");
        if (method == null) {
            if (hasId && (o.has("result") || o.has("error"))) return new Response(id);
            throw new Invalid(id, "missing method");
        }
        if (!(method instanceof Json.Str m)) throw new Invalid(id, "method must be a string");
        Json params = o.get("params");
        if (params != null && !(params instanceof Json.Obj) && !(params instanceof Json.Arr)) {
            throw new Invalid(id, "params must be an object or an array");
        }
        if (hasId && idBytes(id) > MAX_ID_BYTES) throw new Invalid(Json.Null.NULL, "id longer than " + MAX_ID_BYTES + " bytes");
        return hasId ? new Request(id, m.value(), params) : new Notification(m.value(), params);
    }

    private static long idBytes(Json id) {
        String s = id instanceof Json.Str str ? str.value() : ((Json.Num) id).text();
        if (s.length() > MAX_ID_BYTES) return s.length(); // at least one byte per char: too long already
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** A successful response. */
    static Json.Obj result(Json id, Json result) {
        return Json.obj("jsonrpc", "2.0", "id", id, "result", result);
    }

    /**
     * An error response; the codes below are those of spec section 5.1. Messages are short and fixed: never exception text, stack traces, arguments or anything
     * else an attacker or a bug could put there (client-supplied names only through {@link Wire#clip}).
     */
    static Json.Obj error(Json id, int code, String message) {
        return Json.obj("jsonrpc", "2.0", "id", id, "error", Json.obj("code", code, "message", message));
    }

    static Json.Obj parseError() {
        return error(Json.Null.NULL, -32700, "Parse error");
    }

    static Json.Obj invalidRequest(Json id, String why) {
        return error(id, -32600, "Invalid request: " + why);
    }

    static Json.Obj methodNotFound(Json id, String method) {
        return error(id, -32601, "Method not found: " + Wire.clip(method));
    }

    static Json.Obj invalidParams(Json id, String why) {
        return error(id, -32602, "Invalid params: " + why);
    }

    static Json.Obj internalError(Json id) {
        return error(id, -32603, "Internal error");
    }

    /** A notification sent by the server. */
    static Json.Obj notification(String method, Json.Obj params) {
        return Json.obj("jsonrpc", "2.0", "method", method, "params", params);
    }
}
