package clarimcp.mcp;

import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import clarimcp.jsonrpc.Ascii;
import clarimcp.jsonrpc.LineReader;
import clarimcp.jsonrpc.Message;
import clarimcp.jsonrpc.MessageWriter;
import clarimcp.jsonrpc.RpcError;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One MCP session over stdio: lifecycle and version negotiation (basic/lifecycle), dispatch of
 * ping, logging/setLevel, tools/list and tools/call, prompts/list and prompts/get (server/prompts),
 * cancellation and progress. The reader
 * thread answers cheap requests itself; each tools/call (and each batch) runs on its own
 * virtual thread, so ping and notifications/cancelled are handled while a call runs.
 */
public final class McpServer {
    /** What initialize reports about this server. */
    public record ServerInfo(String name, String title, String version, String instructions) {}

    private final Map<String, Tool> tools = new LinkedHashMap<>();
    private final Map<String, Prompt> prompts = new LinkedHashMap<>();
    private final ServerInfo info;
    private final MessageWriter out;
    private final PrintStream diagnostics;
    private final CallLog callLog;
    private final InFlight inFlight = new InFlight();
    private final Object initLock = new Object();
    private volatile ProtocolVersion version; // null until initialize has been answered
    private volatile LogLevel minLogLevel = LogLevel.WARNING;

    public McpServer(List<Tool> tools, ServerInfo info, MessageWriter out, PrintStream diagnostics) {
        this(tools, info, out, diagnostics, CallLog.NONE);
    }

    /** callLog receives one record per tools/call, refused ones included. */
    public McpServer(List<Tool> tools, ServerInfo info, MessageWriter out, PrintStream diagnostics, CallLog callLog) {
        this(tools, List.of(), info, out, diagnostics, callLog);
    }

    /** prompts: offered through prompts/list and prompts/get; none means no prompts capability. */
    public McpServer(List<Tool> tools, List<Prompt> prompts, ServerInfo info, MessageWriter out, PrintStream diagnostics,
            CallLog callLog) {
        for (Tool t : tools) {
            if (this.tools.putIfAbsent(t.name(), t) != null) throw new IllegalArgumentException("duplicate tool " + t.name());
        }
        for (Prompt p : prompts) {
            if (this.prompts.putIfAbsent(p.name(), p) != null) throw new IllegalArgumentException("duplicate prompt " + p.name());
        }
        this.info = info;
        this.out = out;
        this.diagnostics = diagnostics;
        this.callLog = callLog;
    }

    /** Serves until end of input, then cancels whatever is still running (its replies are dropped). */
    public void serve(InputStream in) throws IOException {
        LineReader reader = new LineReader(in);
        for (LineReader.Line line; (line = reader.next()) != null; ) {
            if (line.tooLong()) {
                out.send(Message.error(Json.Null.NULL, RpcError.invalidRequest(
                        "message longer than " + LineReader.MAX_LINE_BYTES + " bytes")));
                continue;
            }
            if (isBlank(line.bytes())) continue;
            Json json;
            try {
                json = JsonParser.parse(line.bytes(), LineReader.MAX_LINE_BYTES);
            } catch (JsonException e) {
                out.send(Message.error(Json.Null.NULL, RpcError.parseError()));
                continue;
            }
            if (json instanceof Json.Arr batch) {
                onBatch(batch);
            } else {
                onMessage(json);
            }
        }
        inFlight.cancelAll();
    }

    private void onMessage(Json json) {
        Message m;
        try {
            m = Message.from(json);
        } catch (Message.Invalid e) {
            out.send(Message.error(e.id(), RpcError.invalidRequest(e.getMessage())));
            return;
        }
        // instanceof, not a pattern switch: a switch over types bootstraps a class at first use (SwitchBootstraps)
        // that the start-up cache does not keep, and the initialize request comes through here.
        // A Message.Response needs nothing: we send no requests, so there is nothing to match.
        if (m instanceof Message.Notification n) {
            onNotification(n);
        } else if (m instanceof Message.Request q && q.method().equals("tools/call") && version != null) {
            // Bad calls are answered here, in order; only valid ones get a thread of their own.
            Json refusal = refuseCall(q);
            InFlight.Call call = refusal == null ? inFlight.start(q.id()) : null;
            if (refusal == null && call == null) refusal = busy(q);
            if (refusal != null) {
                logRefused(q);
                out.send(refusal);
                return;
            }
            Thread.ofVirtual().name("tools/call").start(() -> {
                Json reply = runCall(q, call);
                if (reply != null) out.send(reply);
            });
        } else if (m instanceof Message.Request q) {
            out.send(onRequest(q));
        }
    }

    /** JSON-RPC batches exist only in 2025-03-26 (added there, removed in 2025-06-18). */
    private void onBatch(Json.Arr batch) {
        ProtocolVersion v = version;
        if (v == null || !v.allowsBatches()) {
            out.send(Message.error(Json.Null.NULL, RpcError.invalidRequest("batches are not supported in this protocol version")));
            return;
        }
        if (batch.items().isEmpty()) {
            out.send(Message.error(Json.Null.NULL, RpcError.invalidRequest("empty batch")));
            return;
        }
        Thread.ofVirtual().name("batch").start(() -> {
            List<Json> replies = new ArrayList<>();
            for (Json item : batch.items()) {
                Json reply = batchItem(item);
                if (reply != null) replies.add(reply);
            }
            if (!replies.isEmpty()) out.send(new Json.Arr(replies));
        });
    }

    private Json batchItem(Json item) {
        Message m;
        try {
            m = Message.from(item);
        } catch (Message.Invalid e) {
            return Message.error(e.id(), RpcError.invalidRequest(e.getMessage()));
        }
        return switch (m) {
            case Message.Response r -> null;
            case Message.Notification n -> {
                onNotification(n);
                yield null;
            }
            case Message.Request q when q.method().equals("initialize") ->
                    Message.error(q.id(), RpcError.invalidRequest("initialize must not be part of a batch"));
            case Message.Request q when q.method().equals("tools/call") -> {
                Json refusal = refuseCall(q);
                InFlight.Call call = refusal == null ? inFlight.start(q.id()) : null;
                if (refusal == null && call == null) refusal = busy(q);
                if (refusal != null) {
                    logRefused(q);
                    yield refusal;
                }
                Json reply = runCall(q, call);
                Thread.interrupted(); // a cancellation of this item must not leak into the next one
                yield reply;
            }
            case Message.Request q -> onRequest(q);
        };
    }

    private void onNotification(Message.Notification n) {
        switch (n.method()) {
            case "notifications/cancelled" -> {
                if (n.params() instanceof Json.Obj p && p.get("requestId") instanceof Json id) inFlight.cancel(id);
            }
            default -> { } // notifications/initialized and unknown notifications need no action and get no reply
        }
    }

    /** Answers every request except tools/call. */
    private Json onRequest(Message.Request q) {
        switch (q.method()) {
            case "initialize":
                return initialize(q);
            case "ping":
                return Message.result(q.id(), Json.Obj.EMPTY);
            case "server/discover":
                // The 2026-07-28 probe: answering at once with -32601 makes dual-era clients fall back to initialize.
                return Message.error(q.id(), RpcError.methodNotFound(q.method()));
            default:
                break;
        }
        ProtocolVersion v = version;
        if (v == null) return Message.error(q.id(), RpcError.invalidRequest("server not initialized; send initialize first"));
        return switch (q.method()) {
            case "tools/list" -> Message.result(q.id(), listTools(v));
            case "logging/setLevel" -> setLevel(q);
            case "prompts/list" -> prompts.isEmpty() ? Message.error(q.id(), RpcError.methodNotFound(q.method()))
                    : Message.result(q.id(), listPrompts(v));
            case "prompts/get" -> prompts.isEmpty() ? Message.error(q.id(), RpcError.methodNotFound(q.method())) : getPrompt(q);
            default -> Message.error(q.id(), RpcError.methodNotFound(q.method()));
        };
    }

    private Json initialize(Message.Request q) {
        if (!(q.params() instanceof Json.Obj p) || !(p.get("protocolVersion") instanceof Json.Str requested)) {
            return Message.error(q.id(), RpcError.invalidParams("protocolVersion must be a string"));
        }
        ProtocolVersion v = ProtocolVersion.parse(requested.value()).orElse(ProtocolVersion.LATEST);
        synchronized (initLock) {
            if (version != null) return Message.error(q.id(), RpcError.invalidRequest("already initialized"));
            version = v;
        }
        Json.Builder server = Json.Obj.builder().put("name", info.name());
        if (v.hasTitles()) server.put("title", info.title());
        server.put("version", info.version());
        Json.Builder capabilities = Json.Obj.builder()
                .put("logging", Json.Obj.EMPTY)
                .put("tools", Json.Obj.builder().put("listChanged", false).build());
        if (!prompts.isEmpty()) capabilities.put("prompts", Json.Obj.builder().put("listChanged", false).build());
        return Message.result(q.id(), Json.Obj.builder()
                .put("protocolVersion", v.wire())
                .put("capabilities", capabilities.build())
                .put("serverInfo", server.build())
                .put("instructions", info.instructions())
                .build());
    }

    private Json.Obj listTools(ProtocolVersion v) {
        List<Json> list = new ArrayList<>(tools.size());
        for (Tool t : tools.values()) list.add(t.descriptor(v));
        return Json.Obj.builder().put("tools", new Json.Arr(list)).build();
    }

    private Json.Obj listPrompts(ProtocolVersion v) {
        List<Json> list = new ArrayList<>(prompts.size());
        for (Prompt p : prompts.values()) list.add(p.descriptor(v));
        return Json.Obj.builder().put("prompts", new Json.Arr(list)).build();
    }

    /** prompts/get: an unknown prompt, a missing or undeclared argument, or a bad value is -32602 (server/prompts). */
    private Json getPrompt(Message.Request q) {
        if (!(q.params() instanceof Json.Obj p) || !(p.get("name") instanceof Json.Str name)) {
            return Message.error(q.id(), RpcError.invalidParams("name must be a string"));
        }
        Prompt prompt = prompts.get(name.value());
        if (prompt == null) {
            return Message.error(q.id(), RpcError.invalidParams("unknown prompt; prompts/list names " + String.join(", ", prompts.keySet())));
        }
        Json given = p.get("arguments");
        if (given != null && !(given instanceof Json.Obj) && !(given instanceof Json.Null)) {
            return Message.error(q.id(), RpcError.invalidParams("arguments must be an object of strings"));
        }
        Map<String, String> args = new LinkedHashMap<>();
        Map<String, Json> raw = given instanceof Json.Obj o ? o.members() : Map.of();
        for (Prompt.Argument a : prompt.arguments()) {
            Json v = raw.get(a.name());
            if (v == null || v instanceof Json.Null || (v instanceof Json.Str s && s.value().isBlank())) {
                if (a.required()) return Message.error(q.id(), RpcError.invalidParams("missing argument " + a.name()));
            } else if (v instanceof Json.Str s) {
                args.put(a.name(), s.value().strip());
            } else {
                return Message.error(q.id(), RpcError.invalidParams("argument " + a.name() + " must be a string"));
            }
        }
        for (String k : raw.keySet()) {
            if (prompt.arguments().stream().noneMatch(a -> a.name().equals(k))) {
                return Message.error(q.id(), RpcError.invalidParams("unknown argument " + Ascii.clip(k) + " for " + prompt.name()));
            }
        }
        try {
            return Message.result(q.id(), prompt.get(args));
        } catch (IllegalArgumentException e) {
            return Message.error(q.id(), RpcError.invalidParams(e.getMessage()));
        }
    }

    private Json setLevel(Message.Request q) {
        if (q.params() instanceof Json.Obj p && p.get("level") instanceof Json.Str s) {
            var level = LogLevel.parse(s.value());
            if (level.isPresent()) {
                minLogLevel = level.get();
                return Message.result(q.id(), Json.Obj.EMPTY);
            }
        }
        return Message.error(q.id(), RpcError.invalidParams("level must be one of debug, info, notice, warning, error, critical, alert, emergency"));
    }

    /** Runs one tools/call on the current thread; null when it was cancelled (no reply at all). */
    private Json runCall(Message.Request q, InFlight.Call call) {
        call.attach(Thread.currentThread());
        Json.Obj p = (Json.Obj) q.params();
        CallMeter meter = new CallMeter(callLog, p.str("name"), p.get("arguments"));
        CallLog.Outcome outcome = CallLog.Outcome.CANCELLED;
        try {
            Reply reply = callTool(q, call, meter);
            if (reply == null || !call.finish()) return null;
            outcome = reply.outcome();
            return reply.message();
        } finally {
            meter.finish(outcome);
            inFlight.end(q.id(), call);
        }
    }

    /** A tools/call answered with a protocol error before it ran: logged with the tool only when it is ours. */
    private void logRefused(Message.Request q) {
        Json.Obj p = q.params() instanceof Json.Obj o ? o : Json.Obj.EMPTY;
        String name = p.get("name") instanceof Json.Str s && tools.containsKey(s.value()) ? s.value() : null;
        new CallMeter(callLog, name, p.get("arguments")).finish(CallLog.Outcome.PROTOCOL_ERROR);
    }

    /** A reply to send and how the call ended. */
    private record Reply(Json message, CallLog.Outcome outcome) {}

    /** The protocol error for a malformed tools/call, or null when it may run (tools/call in server/tools). */
    private Json refuseCall(Message.Request q) {
        if (!(q.params() instanceof Json.Obj p) || !(p.get("name") instanceof Json.Str name)) {
            return Message.error(q.id(), RpcError.invalidParams("name must be a string"));
        }
        if (!tools.containsKey(name.value())) {
            return Message.error(q.id(), RpcError.invalidParams("unknown tool: " + Ascii.clip(name.value())));
        }
        Json args = p.get("arguments");
        if (args != null && !(args instanceof Json.Obj)) {
            return Message.error(q.id(), RpcError.invalidParams("arguments must be an object"));
        }
        return null;
    }

    private static Json busy(Message.Request q) {
        return Message.error(q.id(), RpcError.invalidRequest("id already in use or too many calls in flight"));
    }

    /** Runs a call that refuseCall accepted; null when it was cancelled. */
    private Reply callTool(Message.Request q, InFlight.Call call, CallMeter meter) {
        Json.Obj p = (Json.Obj) q.params();
        Tool tool = tools.get(p.str("name"));
        Json args = p.get("arguments");
        Json token = p.obj("_meta") == null ? null : p.obj("_meta").get("progressToken");
        Tool.Context context = new CallContext(out, call, token instanceof Json.Str || token instanceof Json.Num ? token : null,
                version, () -> minLogLevel, info.name(), meter);
        Tool.Result result;
        try {
            result = tool.run(args == null ? Json.Obj.EMPTY : (Json.Obj) args, context, diagnostics);
        } catch (InterruptedException e) {
            return null; // cancelled, or the client went away: either way nobody wants the answer
        }
        if (result == null) return new Reply(Message.error(q.id(), RpcError.internalError()), CallLog.Outcome.PROTOCOL_ERROR);
        return new Reply(Message.result(q.id(), callResult(result, version)),
                result.isError() ? CallLog.Outcome.TOOL_ERROR : CallLog.Outcome.OK);
    }

    private static Json.Obj callResult(Tool.Result r, ProtocolVersion v) {
        Json.Obj text = Json.Obj.builder().put("type", "text").put("text", r.text()).build();
        Json.Builder b = Json.Obj.builder().put("content", Json.Arr.of(text));
        if (!r.isError() && r.structured() != null && v.hasStructuredContent()) b.put("structuredContent", r.structured());
        return b.put("isError", r.isError()).build();
    }

    private static boolean isBlank(byte[] b) {
        for (byte c : b) {
            if (c != ' ' && c != '\t' && c != '\r') return false;
        }
        return true;
    }
}
