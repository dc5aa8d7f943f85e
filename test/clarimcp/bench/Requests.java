package clarimcp.bench;

import clarimcp.json.Json;
import clarimcp.json.JsonWriter;
import java.util.ArrayList;
import java.util.List;

/** The JSON-RPC lines the bench sends. */
final class Requests {
    static final String INITIALIZED = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";

    private Requests() {}

    static String initialize(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"make-bench\",\"version\":\"1\"}}}";
    }

    static String toolsList(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/list\"}";
    }

    static String ping(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\"}";
    }

    static String tool(int id, String name, Json.Obj arguments) {
        return toolRaw(id, name, JsonWriter.write(arguments));
    }

    /** A tools/call whose arguments are already JSON text (written once, sent a thousand times). */
    static String toolRaw(int id, String name, String argumentsJson) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":"
                + JsonWriter.write(Json.of(name)) + ",\"arguments\":" + argumentsJson + "}}";
    }

    static List<String> toolNames(Json.Obj listReply) {
        List<String> names = new ArrayList<>();
        for (Json t : listReply.obj("result").arr("tools").items()) names.add(((Json.Obj) t).str("name"));
        return names;
    }

    /** A benchmark of failures would measure nothing: any error ends the run. */
    static void requireSuccess(Json.Obj reply, String tool) {
        Json.Obj result = reply.obj("result");
        if (result == null || Json.Bool.TRUE.equals(result.get("isError"))) {
            throw new IllegalStateException(tool + " failed: " + JsonWriter.write(reply));
        }
    }
}

